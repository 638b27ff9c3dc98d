"""The dev loop keeps its data and picks up registry edits: `graph dev` is started as a
subprocess on free ports with its own data folder and its own copy of `tenants/`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.local.dev import reset
from graph.local.dynamodb_local import free_port
from graph.registry.tenants import new_api_key
from graph.settings import REPO_ROOT
from tests.schema.test_mutations import CREATE, new_listing

WRITE_KEY = "rg_kicks-dev-write_kicksDevWriteKey0001"


class DevStack:
    def __init__(self, tmp: Path) -> None:
        self.data = tmp / "data"
        self.tenants = tmp / "tenants"
        shutil.copytree(REPO_ROOT / "tenants", self.tenants)
        self.port = free_port()
        self.dynamodb_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None
        self.output = ""

    def start(self, timeout: float = 120.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_")}
        env |= {"GRAPH_TENANTS_DIR": str(self.tenants), "GRAPH_STAGE": "dev"}
        command = [sys.executable, "-m", "graph.cli", "dev", "--port", str(self.port)]
        command += ["--dynamodb-port", str(self.dynamodb_port), "--data-dir", str(self.data)]
        self.proc = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=REPO_ROOT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"graph dev exited: {self.stop()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"graph dev did not come up: {self.stop()}")

    def stop(self) -> str:
        """Ctrl-C, as a developer would; the whole output of this run."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.output = out
        return out

    def gql(self, query: str, variables: dict[str, Any] | None = None, key: str = WRITE_KEY) -> Any:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"X-Api-Key": key},
            timeout=30,
        )
        return response.status_code, response.json()


def shutdown(output: str) -> str:
    """What a run printed once Ctrl-C reached it."""
    _, found, after = output.partition("Stopping the audit runner")
    assert found, output[-2000:]
    return after


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[DevStack]:
    dev = DevStack(tmp_path)
    try:
        yield dev
    finally:
        if dev.proc is not None and dev.proc.poll() is None:
            dev.stop()


def test_listings_survive_a_restart_and_registry_edits_apply_live(stack: DevStack) -> None:
    stack.start()
    status, body = stack.gql(CREATE, {"input": new_listing(title="Kept across restarts")})
    assert status == 200, body
    assert "errors" not in body, body
    listing_id = body["data"]["createListing"]["listing"]["id"]

    # A key added to the registry while the stack runs works at once, no restart.
    raw, digest = new_api_key("kicks-live-1")
    entry = f'\n[[keys]]\nid = "kicks-live-1"\nsha256 = "{digest}"\nscopes = ["read"]\n'
    with (stack.tenants / "registry" / "kicks.toml").open("a") as registry:
        registry.write(entry)
    query = f'{{ listing(id: "{listing_id}") {{ title }} }}'
    status, body = stack.gql(query, key=raw)
    assert status == 200, body
    assert body["data"]["listing"] == {"title": "Kept across restarts"}

    first = stack.stop()
    assert "demo data loaded" in first
    assert "export GRAPH_DYNAMODB_ENDPOINT=http://127.0.0.1:" in first
    assert "could not be reached" not in shutdown(first)  # the audit runner stopped first
    assert "Stopped DynamoDB Local" in first

    stack.start()
    status, body = stack.gql(query, key=raw)
    assert body["data"]["listing"] == {"title": "Kept across restarts"}, body
    assert reset(stack.data) == 1  # `make dev-reset` refuses while `graph dev` runs
    second = stack.stop()
    assert "data kept from the last run" in second
    assert "demo data loaded" not in second  # seeded once: nothing overwritten
    assert "could not be reached" not in shutdown(second)

    assert reset(stack.data) == 0  # stopped: now it starts over
    assert not (stack.data / "dynamodb").exists()
