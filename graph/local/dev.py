"""`graph dev`: the local stack, keeping its data between runs.

    <data dir>/                 `.dev/` (or --data-dir, or GRAPH_DEV_DATA_DIR)
      dynamodb/                 DynamoDB Local's files (-dbPath): listings survive restarts
      dynamodb-local.log
      audit-checkpoints.json    where the audit runner is in each stream
      dev.pid                   the running `graph dev` (so a reset can refuse)

Tables are created for every registered tenant; demo data is loaded only into the
demo tenants' tables, and only when they were just created (first run, or after
`make dev-reset`). While it runs, a change to `tenants/registry/` creates the tables
and the photo bucket of a new tenant (and sets every bucket's CORS to its tenant's
origins again); the gateway itself re-reads the registry at the next request.
`graph tenants onboard` with `GRAPH_S3_ENDPOINT` set creates the bucket itself, before
the registry entry, so no request can come first.

    python -m graph.local.dev reset [--data-dir D]     what `make dev-reset` runs
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.local.tenants import prepare_with_clients

ROOT = Path(__file__).resolve().parents[2]


def data_dir(given: str | None = None) -> Path:
    return Path(given or os.environ.get("GRAPH_DEV_DATA_DIR") or ROOT / ".dev")


class RegistryWatcher:
    """Polls `tenants/registry/` and creates the tables and photo buckets of tenants added
    while `graph dev` runs, and sets each bucket's CORS to its tenant's origins again
    (the gateway re-reads the registry itself, at the next request)."""

    def __init__(self, settings: Any, say: Callable[[str], None], interval: float = 1.0):
        from graph.registry.tenants import registry_signature

        self.settings = settings
        self.say = say
        self.interval = interval
        self.stop = threading.Event()
        self._stamp = registry_signature(settings.tenants_dir)
        self._thread = threading.Thread(target=self._run, name="registry-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        from graph.registry.tenants import RegistryError, registry_signature

        while not self.stop.wait(self.interval):
            stamp = registry_signature(self.settings.tenants_dir)
            if stamp == self._stamp:
                continue
            self._stamp = stamp
            try:
                asyncio.run(self._prepare())
            except RegistryError as exc:
                self.say(f"registry: {exc} (the gateway keeps the last good registry)")
            except Exception as exc:  # keep watching; the next edit retries
                self.say(f"registry: could not prepare tables and buckets: {exc}")

    async def _prepare(self) -> None:
        self.say("registry changed: preparing tables and buckets (the gateway reloads it)")
        await prepare_with_clients(self.settings, self.say, seed="new")


class AuditThread:
    """The local stream runner in a thread, stopped (and joined) on request, so it is
    gone before DynamoDB Local stops."""

    def __init__(self, settings: Any, checkpoints: Path) -> None:
        self.settings = settings
        self.checkpoints = checkpoints
        self.stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout: float = 60.0) -> None:
        """Stop between batches: the batch in flight is written first."""
        self.stop.set()
        self._thread.join(timeout=timeout)

    def _run(self) -> None:
        from graph.local.audit import run_audit

        with contextlib.suppress(Exception):  # it logged its own failure
            asyncio.run(run_audit(self.settings, self.checkpoints, stop=self.stop.is_set))


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def serve(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    """`graph dev`: DynamoDB Local (kept data), tables, demo data, audit runner, gateway."""
    import uvicorn

    from graph.local import dynamodb_local, s3_local
    from graph.settings import Settings

    folder = data_dir(args.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    running = None
    s3_running = None
    audit: AuditThread | None = None
    watcher: RegistryWatcher | None = None
    endpoint = os.environ.get("GRAPH_DYNAMODB_ENDPOINT")
    # uvicorn re-raises SIGTERM after its graceful shutdown; make that an exception so
    # the `finally` below still stops the audit runner, then DynamoDB Local.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    (folder / "dev.pid").write_text(f"{os.getpid()}\n")
    try:
        if not endpoint:
            say(f"Starting DynamoDB Local (data in {folder / 'dynamodb'}) ...")
            running = dynamodb_local.start(
                port=args.dynamodb_port,
                db_path=folder / "dynamodb",
                log_file=folder / "dynamodb-local.log",
            )
            endpoint = running.endpoint
            say(f"  DynamoDB Local at {endpoint} (pid {running.pid})")
        os.environ["GRAPH_DYNAMODB_ENDPOINT"] = endpoint
        if not os.environ.get("GRAPH_S3_ENDPOINT"):
            from graph.local import demo_photos

            s3_running = demo_photos.start(folder, say)
            os.environ["GRAPH_S3_ENDPOINT"] = s3_running.endpoint
        # DynamoDB Local on a busy laptop answers a burst (the audit runner's first
        # hundreds of records) far slower than DynamoDB: give it time, in dev only.
        os.environ.setdefault("GRAPH_DYNAMODB_READ_TIMEOUT", "15")
        os.environ.setdefault("GRAPH_DYNAMODB_CONNECT_TIMEOUT", "5")
        settings = Settings()
        say("Preparing tenants ...")
        asyncio.run(prepare_with_clients(settings, say))
        audit = AuditThread(settings, folder / "audit-checkpoints.json")
        audit.start()
        say("  audit runner started: DynamoDB Streams -> history, live subscriptions")
        if settings.registry_reload_enabled:
            watcher = RegistryWatcher(settings, say)
            watcher.start()
        url = f"http://{args.host}:{args.port}/graphql"
        pages: list[str] = []
        if getattr(args, "demo_port", 0):
            from graph.local.demo_pages import start_demo_pages

            gateway_url = f"http://{args.host}:{args.port}"
            pages = start_demo_pages(args.host, args.demo_port, gateway_url, say)
        say(
            BANNER.format(
                url=url,
                endpoint=endpoint,
                s3=settings.s3_endpoint,
                body=json.dumps({"query": EXAMPLE_QUERY}),
            )
        )
        for page in pages:
            say(f"  Demo storefront with the widget: {page}")
        uvicorn.run(
            "graph.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            log_level="info",
            # The HTTP body limit for WebSocket frames too (uvicorn's default is 16 MiB); a
            # frame over it closes with 1009, and graph/routes/live_door.py refuses a
            # message over it (4400) whatever server runs the app.
            ws_max_size=settings.max_body_bytes,
            access_log=not settings.text_logs,  # text logs already print one line a request
            reload=args.reload,
            reload_dirs=["graph", "tenants"] if args.reload else None,
        )
    finally:
        if watcher is not None:
            watcher.close()
        if audit is not None:
            say("Stopping the audit runner (after the batch it is writing) ...")
            audit.close()  # before DynamoDB Local, or it polls a dead endpoint
        if s3_running is not None:
            s3_local.stop(s3_running.pid)
        if running is not None:
            dynamodb_local.stop(running.pid)
            say(f"Stopped DynamoDB Local (pid {running.pid}); its data stays in {folder}.")
        with contextlib.suppress(OSError):
            (folder / "dev.pid").unlink()
    return 0


EXAMPLE_QUERY = (
    '{ productListings(productId: "prd-001", first: 3) '
    "{ edges { node { title price { amount currency } seller { displayName } } } } }"
)
BANNER = """
Resale Graph is up.
  Playground (GraphiQL): {url}
  DynamoDB endpoint:     {endpoint}
  Demo tenants: kicks (sneakers, USD) and threads (apparel, EUR); keys are in README.md.

In a second terminal (graph CLI, tests, scripts against this DynamoDB and S3):
  export GRAPH_DYNAMODB_ENDPOINT={endpoint} GRAPH_S3_ENDPOINT={s3}

Try it:
  curl -s {url} -H 'Content-Type: application/json' \\
    -H 'X-Api-Key: rg_kicks-dev-read_kicksDevReadKey0001' \\
    -d '{body}'

Edits to tenants/extensions/ and tenants/registry/ apply at the next request.
Ctrl-C stops the gateway, the audit runner and DynamoDB Local; data stays for the next
run (`make dev-reset` starts over).
"""


def running_pid(folder: Path) -> int | None:
    """The pid of a `graph dev` that uses `folder`, if it is still alive."""
    try:
        pid = int((folder / "dev.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def reset(folder: Path) -> int:
    pid = running_pid(folder)
    if pid is not None:
        print(f"`graph dev` (pid {pid}) is using {folder}: stop it first.", file=sys.stderr)
        return 1
    for name in ("dynamodb", "audit-checkpoints.json", "dynamodb-local.log", "dev.pid"):
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    print(f"Reset {folder}: the next `make dev` starts with fresh demo data.", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.local.dev")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("reset", help="delete the dev stack's data (DynamoDB files, checkpoints)")
    cmd.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    return reset(data_dir(args.data_dir))


if __name__ == "__main__":
    raise SystemExit(main())
