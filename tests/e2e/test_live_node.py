"""Live subscriptions end to end: the real `graphql-ws` client (Node, from npm) against
a gateway started as `make dev` starts it. The assertions are in
tests/node/live.test.mjs; its findings are checked here again."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.devstack import REPO_ROOT, DevStack

NODE_DIR = REPO_ROOT / ".cache" / "node-tests"
SCRIPT = REPO_ROOT / "tests" / "node" / "live.test.mjs"
KEYS = {
    "KICKS_READ": "rg_kicks-dev-read_kicksDevReadKey0001",
    "KICKS_WRITE": "rg_kicks-dev-write_kicksDevWriteKey0001",
    "THREADS_READ": "rg_threads-dev-read_threadsDevReadKey0001",
}


def node_script() -> Path:
    if not (NODE_DIR / "node_modules" / "graphql-ws").is_dir():
        pytest.fail("graphql-ws is not installed: run `make node-tests-deps`.")
    # ES modules resolve packages from the script's folder: run it beside node_modules.
    target = NODE_DIR / SCRIPT.name
    shutil.copyfile(SCRIPT, target)
    return target


def test_graphql_ws_client_sees_changes_of_its_tenant_only(dev_stack: DevStack) -> None:
    node = shutil.which("node")
    assert node, "node is needed for this test (apt-get install -y nodejs)"
    env = {
        "PATH": "/usr/bin:/bin",
        "GRAPHQL_HTTP": dev_stack.graphql_url,
        "GRAPHQL_WS": dev_stack.websocket_url,
        **KEYS,
    }
    result = subprocess.run(
        [node, str(node_script())],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert result.returncode == 0, (
        f"node failed:\n{result.stdout}\n{result.stderr}\n--- graph dev log ---\n"
        f"{dev_stack.log_tail()}"
    )
    findings = json.loads(result.stdout.strip().splitlines()[-1])
    assert findings["readKeyPrivateField"] == "GRAPHQL_VALIDATION_FAILED"
    assert findings["overLimits"]["limit"]["name"] == "maxDepth"
    assert findings["writeKeyPurchasePrice"] in {"90", "90.00"}
    assert findings["threadsMessages"][:2] == [0, 0]
    assert findings["badKeyClose"]["code"] == 4403
    assert findings["readMessages"] >= 3  # the warm-up change, and the measured one twice
