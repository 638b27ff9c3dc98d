"""SnapStart's hooks for the gateway function (graph/lambdas/snapstart.py, gateway.py).

The hooks are registered with `snapshot_restore_py`, the module the Lambda Python 3.12+
runtime provides (the `test` extra installs AWS's own package of it); a simulated
snapshot and restore runs them as the runtime's bootstrap does, from that module's
registries: before-snapshot hooks in reverse order of registration, after-restore hooks
in order.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import botocore.loaders
import pytest
import snapshot_restore_py

import graph.tenancy.runtime
from graph.lambdas import gateway as gateway_lambda
from graph.lambdas import snapstart
from graph.registry.tenants import Registry, Tenant
from graph.settings import Settings
from graph.store import delete_tables, open_dynamodb, prime_dynamodb_session
from tests.conftest import make_gateway, raw_key
from tests.lambdas.test_entry_imports import loaded, probe

EVENTS = Path(__file__).resolve().parents[1] / "samples"


class Context:
    function_name = "snapstart-test"
    memory_limit_in_mb = 1024
    aws_request_id = "snapstart-test"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:snapstart-test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def run_before_snapshot() -> None:
    for func, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
        func(*args, **kwargs)


def run_after_restore() -> None:
    for func, args, kwargs in snapshot_restore_py.get_after_restore():
        func(*args, **kwargs)


def page_event(key: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "apigw-http-v2-post-graphql.json").read_text())
    event["headers"]["x-api-key"] = key
    query = '{ productListings(productId: "prd-001", first: 2) { edges { node { id } } } }'
    event["body"] = json.dumps({"query": query})
    return event


async def invoke(event: dict[str, Any]) -> Any:
    response = await asyncio.to_thread(gateway_lambda.gateway_handler, event, Context())
    return json.loads(response["body"])


@pytest.fixture
async def kicks(ddb: Any, settings: Settings) -> AsyncIterator[Tenant]:
    gw, tenants = await make_gateway(ddb, settings)
    await gw.http.aclose()
    await asyncio.to_thread(gateway_lambda.reset_gateway)
    try:
        yield tenants[0]
    finally:
        await asyncio.to_thread(gateway_lambda.reset_gateway)
        await delete_tables(ddb, tenants[0].tables)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every DynamoDB client the gateway's Runtime opens, in order."""
    clients: list[Any] = []
    real_open = graph.tenancy.runtime.open_dynamodb

    @asynccontextmanager
    async def recording_open(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with real_open(*args, **kwargs) as client:
            clients.append(client)
            yield client

    monkeypatch.setattr(graph.tenancy.runtime, "open_dynamodb", recording_open)
    return clients


def test_the_gateway_registers_both_hooks_with_the_runtime_module() -> None:
    before = [func for func, _, _ in snapshot_restore_py.get_before_snapshot()]
    after = [func for func, _, _ in snapshot_restore_py.get_after_restore()]
    assert gateway_lambda.before_snapshot in before
    assert gateway_lambda.after_restore in after


async def test_a_restore_reopens_the_client_and_reseeds_random(
    kicks: Tenant, settings: Settings, opened: list[Any]
) -> None:
    registry = Registry([kicks], settings.stage)
    await asyncio.to_thread(gateway_lambda.configure_gateway, settings, registry)
    key = raw_key("kicks", "read")
    first = await invoke(page_event(key))
    assert len(first["data"]["productListings"]["edges"]) == 2
    assert len(opened) == 1
    built = gateway_lambda.gateway()

    # Two environments restored from one snapshot start with the same random state.
    # (The runtime runs the hooks outside any event loop: so does the test, in a thread.)
    random.seed(31)
    snapshotted = random.getstate()
    await asyncio.to_thread(run_after_restore)
    restored = random.getstate()
    assert restored != snapshotted
    random.seed(31)
    await asyncio.to_thread(run_after_restore)
    assert random.getstate() != restored  # each restore draws its own state
    assert built.runtime._clients == {}  # closed; the next request opens a new one

    assert gateway_lambda.gateway() is built  # schemas and secret kept; clients not
    second = await invoke(page_event(key))
    assert second == first
    assert len(opened) == 2
    assert opened[1] is not opened[0]  # the next request opened a new client


async def test_nothing_built_goes_into_the_snapshot(
    kicks: Tenant, settings: Settings, opened: list[Any]
) -> None:
    registry = Registry([kicks], settings.stage)
    await asyncio.to_thread(gateway_lambda.configure_gateway, settings, registry)
    assert "errors" not in await invoke(page_event(raw_key("kicks", "read")))
    built = gateway_lambda.gateway()
    await asyncio.to_thread(run_before_snapshot)
    assert built.loop.is_closed()  # its client closed with it
    assert gateway_lambda._gateway is None  # nothing of it (secret, clients) is kept


def test_reseed_needs_no_runtime_module() -> None:
    random.seed(7)
    state = random.getstate()
    snapstart.reseed()
    assert random.getstate() != state


def test_snap_start_init_primes_code_only() -> None:
    """Under SnapStart's init the first invocation's modules load before the snapshot;
    no gateway (secret, client) is built. An on-demand init loads none of them."""
    primed = probe(
        "graph.lambdas.gateway",
        env={snapstart.INIT_TYPE_VARIABLE: "snap-start"},
    )["modules"]
    assert loaded(primed, ("graph.app", "aioboto3", "mangum")) != []
    assert "graph.lambdas.bootstrap" in primed
    on_demand = probe(
        "graph.lambdas.gateway",
        env={snapstart.INIT_TYPE_VARIABLE: "on-demand"},
    )["modules"]
    assert loaded(on_demand, ("graph.app", "aioboto3", "mangum")) == []


@pytest.fixture
def data_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """botocore data files read from disk (JSON), in order."""
    read: list[str] = []
    real = botocore.loaders.JSONFileLoader.load_file

    def counting(self: Any, file_path: str, *args: Any, **kwargs: Any) -> Any:
        read.append(file_path)
        return real(self, file_path, *args, **kwargs)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting)
    return read


async def test_the_primed_session_serves_the_first_client_without_reading_data_files(
    settings: Settings, data_files: list[str]
) -> None:
    """SnapStart's init reads botocore's DynamoDB data once; the first client after the
    restore is made from it (and works); a later client reads the files as always."""
    prime_dynamodb_session()
    assert any("dynamodb" in path for path in data_files)  # read before the snapshot
    data_files.clear()
    async with open_dynamodb(settings, lean=True) as client:
        assert data_files == []
        assert "TableNames" in await client.list_tables(Limit=1)
    async with open_dynamodb(settings, lean=True) as client:
        assert any("service-2" in path for path in data_files)  # used once, then gone
        assert "TableNames" in await client.list_tables(Limit=1)
