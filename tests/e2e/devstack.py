"""The stack `make dev` runs, for end-to-end tests: `graph dev` in a subprocess on free
loopback ports (gateway, demo storefronts, DynamoDB Local), with the demo data loaded.

The tenants folder is a copy of the repo's, and the demo storefronts' origin is allowed
with the real command (`graph tenants origins add`), since the ports are not the
default 8000/8001. Everything the process prints goes to `log_path` (the gateway's JSON
log lines included), under .artifacts/e2e/.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / ".artifacts" / "e2e"
DEMO_TENANTS = ("kicks", "threads")
START_TIMEOUT = 180.0


@dataclass
class DevStack:
    base_url: str  # the gateway, e.g. http://127.0.0.1:PORT (GraphQL at /graphql)
    demo_url: str  # the demo storefronts' origin, e.g. http://127.0.0.1:PORT2
    dynamodb_endpoint: str
    log_path: Path
    #: A free port whose 127.0.0.1 origin the demo tenants allow, for a test's own pages
    #: (tests/e2e/pages.py serves them); its `localhost` origin is allowed by no one.
    pages_port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    tenants_dir: Path | None = field(default=None, repr=False)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def websocket_url(self) -> str:
        return self.graphql_url.replace("http://", "ws://", 1)

    @property
    def photos_origin(self) -> str:
        """The local S3 server that serves the demo photos (`graph dev` prints it)."""
        found = re.search(r"local S3 at (https?://[^/\s]+)", self.log())
        assert found, f"no local S3 server in the dev stack's log:\n{self.log_tail()}"
        return found.group(1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop `graph dev` (SIGTERM: it stops its DynamoDB Local on the way out)."""
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own group: only what it started
                process.wait(10)
        if self.tenants_dir is not None:
            shutil.rmtree(self.tenants_dir, ignore_errors=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _graph() -> str:
    return str(Path(sys.executable).with_name("graph"))


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_dev_stack(*, timeout: float = START_TIMEOUT) -> DevStack:
    gateway, demo, dynamodb, pages = free_port(), free_port(), free_port(), free_port()
    base_url, demo_url = f"http://127.0.0.1:{gateway}", f"http://127.0.0.1:{demo}"
    tenants_dir = Path(tempfile.mkdtemp(prefix="devstack-tenants-"))
    shutil.copytree(REPO_ROOT / "tenants", tenants_dir, dirs_exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_")}
    env |= {"GRAPH_STAGE": "dev", "GRAPH_TENANTS_DIR": str(tenants_dir), "GRAPH_METRICS": "false"}
    env["PYTHONUNBUFFERED"] = "1"
    for tenant_id in DEMO_TENANTS:
        for origin in (demo_url, f"http://127.0.0.1:{pages}"):
            subprocess.run(
                [_graph(), "tenants", "origins", "add", tenant_id, origin],
                env=env,
                check=True,
                capture_output=True,
            )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # one log per pytest worker
    log_path = ARTIFACTS / f"dev-stack-{worker}.log"
    with log_path.open("wb") as log:
        command = [_graph(), "dev", "--host", "127.0.0.1", "--port", str(gateway)]
        command += ["--demo-port", str(demo), "--dynamodb-port", str(dynamodb)]
        # Its own DynamoDB Local data and checkpoints, never a developer's .dev/.
        command += ["--data-dir", str(tenants_dir / ".dev-data")]
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = DevStack(
        base_url=base_url,
        demo_url=demo_url,
        dynamodb_endpoint=f"http://127.0.0.1:{dynamodb}",
        log_path=log_path,
        pages_port=pages,
        process=process,
        tenants_dir=tenants_dir,
    )
    deadline = time.monotonic() + timeout
    while not (_ready(f"{base_url}/healthz") and _ready(f"{demo_url}/")):
        if process.poll() is not None or time.monotonic() > deadline:
            stack.stop()
            raise RuntimeError(
                f"`graph dev` did not come up (exit {process.poll()}); its log, "
                f"{log_path}:\n{stack.log()[-4000:]}"
            )
        time.sleep(0.25)
    return stack
