"""The dev stack as `make dev` starts it, for end-to-end tests: `graph dev` in a
subprocess on free loopback ports, with its own in-memory DynamoDB Local, demo tenants
and data, the stream runner (history and live subscriptions) and the server.

    stack = start_dev_stack()
    ... stack.base_url ("http://127.0.0.1:<port>"), stack.dynamodb_endpoint ...
    stack.stop()

Its output (DynamoDB Local, uvicorn, the stream runner) goes to `log_path`; a stack
that does not come up raises with the log's tail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
GRAPH = Path(sys.executable).with_name("graph")
START_SECONDS = 180.0


@dataclass
class DevStack:
    base_url: str
    dynamodb_endpoint: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def websocket_url(self) -> str:
        return self.graphql_url.replace("http://", "ws://", 1)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # graph dev stops its DynamoDB Local too
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_dev_stack(*, timeout: float = START_SECONDS) -> DevStack:
    """Start `graph dev` (what `make dev` runs after installing) and wait until it serves."""
    port, dynamodb_port = free_port(), free_port()
    log_path = Path(tempfile.mkstemp(prefix="graph-dev-", suffix=".log")[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_")}
    env["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(GRAPH),
                "dev",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dynamodb-port",
                str(dynamodb_port),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    stack = DevStack(
        base_url=f"http://127.0.0.1:{port}",
        dynamodb_endpoint=f"http://127.0.0.1:{dynamodb_port}",
        log_path=log_path,
        process=process,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"graph dev exited with {process.returncode}:\n{stack.log_tail()}")
        if _healthy(f"{stack.base_url}/healthz"):
            return stack
        time.sleep(0.5)
    stack.stop()
    raise RuntimeError(
        f"graph dev did not serve /healthz within {timeout:g} s:\n{stack.log_tail()}"
    )
