"""The `graph` command: run the dev stack, create tables, load demo data, manage tenants."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.settings import REPO_ROOT, Settings


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _with_client(settings: Settings, work: Callable[[Any], Any]) -> Any:
    from graph.store.client import open_dynamodb

    async with open_dynamodb(settings) as client:
        return await work(client)


async def prepare_tenants(client: Any, settings: Settings, *, seed: bool) -> None:
    """Create every registered tenant's tables and (optionally) load demo data."""
    from graph import demo
    from graph.store.admin import create_tables, put_items
    from graph.tenancy import load_registry

    registry = load_registry(settings.tenants_dir, settings.stage)
    for tenant in registry.tenants.values():
        started = time.perf_counter()
        outcome = await create_tables(client, tenant.tables)
        created = sum(1 for v in outcome.values() if v == "created")
        say(f"  {tenant.id}: tables ready ({created} created, {len(outcome) - created} existed)")
        if seed:
            catalog = tenant.id if tenant.id in demo.CATALOGS else "kicks"
            data = demo.dataset(tenant.id, catalog)
            listings = await put_items(client, tenant.tables.listings, data["listings"])
            sellers = await put_items(client, tenant.tables.sellers, data["sellers"])
            say(
                f"  {tenant.id}: loaded {listings} listings and {sellers} sellers "
                f"in {time.perf_counter() - started:.2f}s"
            )


def cmd_seed(args: argparse.Namespace) -> int:
    settings = Settings()
    say(f"Preparing tenants on {settings.dynamodb_endpoint or 'AWS'} ...")
    asyncio.run(_with_client(settings, lambda c: prepare_tenants(c, settings, seed=True)))
    return 0


async def run_audit(settings: Settings, checkpoint_file: Path) -> None:
    """Feed every tenant's listings and sellers streams to the audit consumer, forever."""
    from graph.audit.consumer import AuditConsumer
    from graph.audit.runner import FileCheckpoints, StreamRunner
    from graph.events.broker import local_broker
    from graph.events.local import publishing
    from graph.store.client import open_dynamodb, open_streams
    from graph.store.streams import StreamReader
    from graph.tenancy import load_registry

    registry = load_registry(settings.tenants_dir, settings.stage)
    consumer = AuditConsumer(settings, registry)
    tables = [t for x in registry.tenants.values() for t in (x.tables.listings, x.tables.sellers)]
    try:
        async with open_dynamodb(settings) as ddb, open_streams(settings) as streams:
            runner = StreamRunner(
                StreamReader(ddb, streams),
                # Listings changes also go to live subscriptions (docs/events.md).
                publishing(consumer.handle, local_broker(), registry),
                tables,
                FileCheckpoints(checkpoint_file),
            )
            await runner.run_forever()
    finally:
        consumer.close()


def start_audit_thread(settings: Settings) -> threading.Thread:
    """The local stream runner in a daemon thread (it dies with `graph dev`)."""
    checkpoints = REPO_ROOT / ".dev" / "audit-checkpoints.json"
    thread = threading.Thread(
        target=asyncio.run, args=(run_audit(settings, checkpoints),), name="audit", daemon=True
    )
    thread.start()
    return thread


def cmd_audit_run(args: argparse.Namespace) -> int:
    settings = Settings()
    say(f"Audit runner: streams of every tenant on {settings.dynamodb_endpoint or 'AWS'} ...")
    asyncio.run(run_audit(settings, Path(args.checkpoints)))
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def cmd_dev(args: argparse.Namespace) -> int:
    import uvicorn

    from graph.local import dynamodb_local

    running = None
    endpoint = os.environ.get("GRAPH_DYNAMODB_ENDPOINT")
    # uvicorn re-raises SIGTERM after its graceful shutdown; make that an exception so
    # the `finally` below still stops DynamoDB Local.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        if not endpoint:
            say("Starting DynamoDB Local (in memory) ...")
            running = dynamodb_local.start(port=args.dynamodb_port)
            endpoint = running.endpoint
            say(f"  DynamoDB Local at {endpoint} (pid {running.pid})")
        os.environ["GRAPH_DYNAMODB_ENDPOINT"] = endpoint
        settings = Settings()
        say("Creating tables and loading demo data ...")
        asyncio.run(_with_client(settings, lambda c: prepare_tenants(c, settings, seed=True)))
        start_audit_thread(settings)
        say("  audit runner started: DynamoDB Streams -> history, live subscriptions")
        url = f"http://{args.host}:{args.port}/graphql"
        say(BANNER.format(url=url, endpoint=endpoint, body=json.dumps({"query": EXAMPLE_QUERY})))
        uvicorn.run(
            "graph.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            log_level="info",
            reload=args.reload,
            reload_dirs=["graph", "tenants"] if args.reload else None,
        )
    finally:
        if running is not None:
            dynamodb_local.stop(running.pid)
            say(f"Stopped DynamoDB Local (pid {running.pid}).")
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

Try it:
  curl -s {url} -H 'Content-Type: application/json' \\
    -H 'X-Api-Key: rg_kicks-dev-read_kicksDevReadKey0001' \\
    -d '{body}'

Ctrl-C stops the gateway and DynamoDB Local.
"""


def cmd_tenants_onboard(args: argparse.Namespace) -> int:
    from graph.onboarding import onboard

    settings = Settings()
    result = asyncio.run(
        _with_client(
            settings,
            lambda c: onboard(
                c,
                settings,
                args.tenant_id,
                name=args.name or args.tenant_id,
                origins=tuple(args.origin),
                region=args.region,
                role_arn=args.role_arn,
                say=say,
            ),
        )
    )
    if result.new_keys:
        print("\nAPI keys (shown once; store them in your secret manager now):")
        for key_id, raw in result.new_keys.items():
            print(f"  {key_id}: {raw}")
    verdict = "onboarded" if result.changed else "already onboarded; nothing changed"
    say(f"\n{args.tenant_id}: {verdict} in {result.seconds:.2f}s")
    return 0


def cmd_tenants_list(args: argparse.Namespace) -> int:
    from graph.tenancy import load_registry

    settings = Settings()
    registry = load_registry(settings.tenants_dir, settings.stage)
    print(f"{'TENANT':<16} {'NAME':<24} {'REGION':<12} {'KEYS':<40} ORIGINS")
    for tenant in registry.tenants.values():
        keys = ", ".join(f"{k.id}({'/'.join(sorted(k.scopes))})" for k in tenant.config.keys)
        print(
            f"{tenant.id:<16} {tenant.config.name:<24} {tenant.config.region:<12} "
            f"{keys:<40} {' '.join(tenant.config.origins)}"
        )
    return 0


def cmd_tenants_rotate(args: argparse.Namespace) -> int:
    from graph.onboarding import rotate_key

    new_id, raw = rotate_key(Settings(), args.tenant_id, args.key_id, keep_old=args.keep_old)
    print(f"New key {new_id} (shown once): {raw}")
    if args.keep_old:
        say(f"{args.key_id} stays valid until you rotate again without --keep-old.")
    else:
        say(f"{args.key_id} is revoked once the gateway reloads the registry (redeploy).")
    return 0


def cmd_tenants_offboard(args: argparse.Namespace) -> int:
    from graph.onboarding import offboard

    if not args.yes:
        try:
            answer = input(f"Type the tenant id to delete {args.tenant_id}'s tables and entry: ")
        except EOFError:
            answer = ""
        if answer.strip() != args.tenant_id:
            say("Not confirmed; nothing changed.")
            return 1
    settings = Settings()
    folder = asyncio.run(
        _with_client(
            settings,
            lambda c: offboard(c, settings, args.tenant_id, backup=not args.no_backup, say=say),
        )
    )
    if folder is not None:
        say(f"Backup kept in {folder}")
    return 0


def _runtime() -> Any:
    from graph.runtime import Runtime
    from graph.tenancy import load_registry

    settings = Settings()
    return Runtime(settings, load_registry(settings.tenants_dir, settings.stage))


def _tenant(runtime: Any, tenant_id: str) -> Any:
    from graph.tenancy import RegistryError

    tenant = runtime.registry.tenants.get(tenant_id)
    if tenant is None:
        known = ", ".join(sorted(runtime.registry.tenants)) or "none"
        raise RegistryError(f"no tenant {tenant_id!r} (registered: {known})")
    return tenant


def cmd_schema_export(args: argparse.Namespace) -> int:
    from graph.extensions.sdl import sdl, sdl_path

    runtime = _runtime()
    tenants = [args.tenant] if args.tenant else sorted(runtime.registry.tenants)
    for tenant_id in tenants:
        schema = runtime.schema_for(_tenant(runtime, tenant_id), private=args.variant == "private")
        out = Path(args.out) if args.out and args.tenant else sdl_path(tenant_id)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(sdl(schema))
        say(f"{tenant_id}: wrote {out} ({args.variant} variant)")
    return 0


def cmd_extensions_check(args: argparse.Namespace) -> int:
    from graph.extensions.sdl import breaking_changes, sdl_path

    runtime = _runtime()
    tenant = _tenant(runtime, args.tenant_id)
    baseline = Path(args.against) if args.against else sdl_path(tenant.id)
    if not baseline.exists():
        say(f"no exported schema at {baseline}: run `graph schema export --tenant {tenant.id}`")
        return 2
    changes = breaking_changes(baseline.read_text(), runtime.schema_for(tenant, private=True))
    if not changes:
        say(f"{tenant.id}: no breaking changes against {baseline}")
        return 0
    say(f"{tenant.id}: {len(changes)} breaking change(s) against {baseline}:")
    for change in changes:
        say(f"  - {change}")
    say("Deprecate a field (deprecation_reason) and export before removing it.")
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graph", description="Resale Graph gateway tools.")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="DynamoDB Local + tables + demo data + the playground")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--dynamodb-port", type=int, default=None)
    dev.add_argument("--reload", action="store_true", help="restart on code/extension edits")
    dev.set_defaults(func=cmd_dev)

    seed = sub.add_parser("seed", help="create tables and load demo data for every tenant")
    seed.set_defaults(func=cmd_seed)

    audit = sub.add_parser("audit", help="the audit trail's stream consumer")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    run = asub.add_parser("run", help="poll the streams and write history (local runner)")
    run.add_argument("--checkpoints", default=".dev/audit-checkpoints.json")
    run.set_defaults(func=cmd_audit_run)

    schema = sub.add_parser("schema", help="a tenant's schema as SDL")
    ssub = schema.add_subparsers(dest="schema_command", required=True)
    export = ssub.add_parser("export", help="write schemas/<tenant>.graphql")
    export.add_argument("--tenant", help="one tenant (default: every tenant)")
    export.add_argument("--out", help="output file (with --tenant)")
    export.add_argument(
        "--variant",
        choices=["private", "public"],
        default="private",
        help="private: what write keys see (default); public: storefront",
    )
    export.set_defaults(func=cmd_schema_export)

    extensions = sub.add_parser("extensions", help="custom fields: checks")
    esub = extensions.add_subparsers(dest="extensions_command", required=True)
    check = esub.add_parser("check", help="fail on breaking changes against the export")
    check.add_argument("tenant_id")
    check.add_argument("--against", help="SDL file to compare with (default: the export)")
    check.set_defaults(func=cmd_extensions_check)

    tenants = sub.add_parser("tenants", help="onboard, list, rotate keys, offboard")
    tsub = tenants.add_subparsers(dest="tenants_command", required=True)
    onboard = tsub.add_parser("onboard", help="tables, keys, registry entry (idempotent)")
    onboard.add_argument("tenant_id")
    onboard.add_argument("--name", help="display name (default: the id)")
    onboard.add_argument("--origin", action="append", default=[], help="allowed CORS origin")
    onboard.add_argument("--region", default=None)
    onboard.add_argument("--role-arn", default=None, help="role to assume in its AWS account")
    onboard.set_defaults(func=cmd_tenants_onboard)
    tsub.add_parser("list", help="registered tenants").set_defaults(func=cmd_tenants_list)
    rotate = tsub.add_parser("rotate-key", help="replace a key with a new one")
    rotate.add_argument("tenant_id")
    rotate.add_argument("key_id")
    rotate.add_argument("--keep-old", action="store_true", help="keep the old key valid too")
    rotate.set_defaults(func=cmd_tenants_rotate)
    offboard = tsub.add_parser("offboard", help="back up, then delete tables and entry")
    offboard.add_argument("tenant_id")
    offboard.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    offboard.add_argument("--no-backup", action="store_true", help="skip the table export")
    offboard.set_defaults(func=cmd_tenants_offboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from graph.extensions import ExtensionError
    from graph.tenancy import RegistryError

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except (RegistryError, ExtensionError) as exc:
        say(f"error: {exc}")
        return 2
    return result


if __name__ == "__main__":
    raise SystemExit(main())
