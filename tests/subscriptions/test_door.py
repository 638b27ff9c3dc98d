"""The WebSocket's door, over a real socket against the served app (uvicorn on a free
port): every malformed frame ends in a coded close and no ERROR line; a key or origin
removed from the registry closes its connection; an origin added is allowed at once;
one client address holds at most its share; the tenant's bucket is charged over the
WebSocket as over HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from graph.local import demo
from graph.registry.tenants import Limits, Registry, Tenant
from graph.settings import Settings
from graph.store import put_items
from tests.conftest import raw_key
from tests.limits.test_rate_limit import PAGE
from tests.routes.test_websocket import WAIT, Live, receive, start_live, subscribe

PROTOCOL = ["graphql-transport-ws"]
FEED = "subscription { listingChanged { id } }"
BIG = 2 * 1024 * 1024


def init(tenant: str = "kicks", scope: str = "read") -> str:
    return json.dumps({"type": "connection_init", "payload": {"apiKey": raw_key(tenant, scope)}})


#: Frames a client may send that are not graphql-transport-ws messages.
MALFORMED: list[str | bytes] = [
    b"\x00\x01binary",
    "not json",
    "[]",
    "1",
    '"connection_init"',
    "{}",
    '{"type": 5}',
    '{"type": ["subscribe"]}',
    '{"type": "next", "id": "1", "payload": {}}',
    '{"type": "subscribe"}',
    '{"type": "subscribe", "id": ["x"], "payload": {"query": "{ a }"}}',
    '{"type": "subscribe", "id": {}, "payload": {"query": "{ a }"}}',
    '{"type": "subscribe", "id": "", "payload": {"query": "{ a }"}}',
    '{"type": "subscribe", "id": "1", "payload": "{ a }"}',
    '{"type": "subscribe", "id": "1", "payload": {"query": 5}}',
    '{"type": "subscribe", "id": "1", "payload": {"query": "{ a }", "variables": [1]}}',
    '{"type": "subscribe", "id": "1", "payload": {"query": "{ a }", "operationName": {}}}',
    '{"type": "subscribe", "id": "1", "payload": {"query": "{ a }", "extensions": "x"}}',
    '{"type": "complete", "id": {}}',
    '{"type": "complete"}',
    '{"type": "connection_init", "payload": [1]}',
    '{"type": "ping", "payload": "x"}',
    '{"type": "pong", "payload": 1}',
    '{"type": "ping", "payload": {"a": "\\ud800"}}',
    '{"type": "ping", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"type": "ping", "payload": {"a": "' + "x" * BIG + '"}}',
]


class Errors(logging.Handler):
    """ERROR records of every logger the served app can log through (uvicorn's do not
    propagate to the root logger pytest's caplog listens on)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Iterator[Errors]:
    handler = Errors()
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.asgi")
    for name in names:
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler
    finally:
        for name in names:
            logging.getLogger(name).removeHandler(handler)


async def close_code(ws: ClientConnection) -> tuple[int | None, str]:
    """Read until the server closes; its close code and reason (None: no close frame)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), WAIT)
    except websockets.ConnectionClosed as closed:
        received = closed.rcvd
        return (received.code, received.reason) if received is not None else (None, "")


async def connect(live: Live, **kwargs: Any) -> ClientConnection:
    return await websockets.connect(live.url, subprotocols=PROTOCOL, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def live(ddb: Any, settings: Settings, streams: Any) -> AsyncIterator[Live]:
    quick = settings.model_copy(update={"registry_recheck_seconds": 0.2})
    async for value in start_live(ddb, quick, streams):
        yield value


@pytest.mark.parametrize("stage", ["before connection_init", "after connection_ack"])
async def test_every_malformed_frame_ends_in_a_coded_close(
    live: Live, errors: Errors, stage: str
) -> None:
    wrong = []
    for frame in MALFORMED:
        ws = await connect(live, max_size=None)
        if stage.startswith("after"):
            await ws.send(init())
            assert json.loads(await asyncio.wait_for(ws.recv(), WAIT))["type"] == "connection_ack"
        await ws.send(frame)
        code, reason = await close_code(ws)
        if code != 4400 or not reason.startswith("BAD_REQUEST"):
            wrong.append((str(frame)[:60], code, reason))
    assert wrong == []
    assert [r.getMessage() for r in errors.records] == []


async def test_a_key_removed_from_the_registry_closes_its_subscription(live: Live) -> None:
    ws = await live.connect("kicks", "read")
    await subscribe(ws, FEED)
    runtime = live.gateway.runtime
    kicks = runtime.registry.tenants["kicks"]
    keys = tuple(k for k in kicks.config.keys if k.id != "kicks-test-read")
    runtime.registry = Registry(
        [_with(kicks, keys=keys), runtime.registry.tenants["threads"]], runtime.registry.stage
    )
    code, reason = await close_code(ws)
    assert code == 4403
    assert reason.startswith("UNAUTHENTICATED")
    # ... and a new connection with it is refused; the write key still works.
    refused = await connect(live)
    await refused.send(init("kicks", "read"))
    assert (await close_code(refused))[0] == 4403
    still = await live.connect("kicks", "write")
    await still.close()


async def test_origins_come_from_the_live_registry(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    origin = {"Origin": "https://new-shop.example"}
    # Not listed: the upgrade is accepted, then connection_init is closed with 4403 ...
    ws = await connect(live, additional_headers=origin)
    await ws.send(init())
    code, reason = await close_code(ws)
    assert (code, reason.split(":")[0]) == (4403, "UNAUTHENTICATED")
    fixes = [getattr(r, "fix", None) for r in caplog.records]
    assert "graph tenants origins add kicks https://new-shop.example" in fixes
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    assert (await live.gateway.http.options("/graphql", headers=preflight)).status_code == 403
    # ... listed in the registry: both the preflight and the WebSocket pass at once.
    runtime = live.gateway.runtime
    kicks = runtime.registry.tenants["kicks"]
    added = _with(kicks, origins=(*kicks.config.origins, "https://new-shop.example"))
    runtime.registry = Registry(
        [added, runtime.registry.tenants["threads"]], runtime.registry.stage
    )
    assert (await live.gateway.http.options("/graphql", headers=preflight)).status_code == 204
    ws = await connect(live, additional_headers=origin)
    await ws.send(init())
    assert json.loads(await asyncio.wait_for(ws.recv(), WAIT))["type"] == "connection_ack"
    # ... and removed again: the open connection closes within the recheck interval.
    threads = runtime.registry.tenants["threads"]
    runtime.registry = Registry([kicks, threads], runtime.registry.stage)
    assert (await close_code(ws))[0] == 4403
    assert (await live.gateway.http.options("/graphql", headers=preflight)).status_code == 403


def _with(tenant: Tenant, **changes: Any) -> Tenant:
    return Tenant(config=tenant.config.model_copy(update=changes), tables=tenant.tables)


@pytest.fixture
async def shared(ddb: Any, settings: Settings, streams: Any) -> AsyncIterator[Live]:
    # 4 subscriptions per tenant, half of them (2) per client address.
    few = settings.model_copy(
        update={"subscriptions_per_tenant": 4, "subscriptions_share_per_address": 0.5}
    )
    async for value in start_live(ddb, few, streams):
        yield value


async def test_one_address_is_refused_past_its_share_while_another_subscribes(
    shared: Live,
) -> None:
    first = await shared.connect()
    for op in ("a", "b"):
        await subscribe(first, FEED, op=op)
    await subscribe(first, FEED, op="c")
    refused = await receive(first)
    assert (refused["type"], refused["id"]) == ("error", "c")
    extensions = refused["payload"][0]["extensions"]
    assert extensions["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
    assert extensions["limit"] == {"name": "subscriptionsPerAddress", "value": 2, "actual": 3}
    # A second connection from the same address: its share of connections is 2 too.
    second = await shared.connect()
    third = await connect(shared)
    await third.send(init())
    code, reason = await close_code(third)
    assert (code, reason.split(":")[0]) == (4429, "SUBSCRIPTION_LIMIT_EXCEEDED")
    # Another address (127.0.0.2) still connects and subscribes.
    other = await connect(shared, local_addr=("127.0.0.2", 0))
    await other.send(init())
    assert json.loads(await asyncio.wait_for(other.recv(), WAIT))["type"] == "connection_ack"
    await subscribe(other, FEED, op="x")
    await subscribe(other, "{ __typename }", op="q")
    answer = await receive(other)
    assert (answer["id"], answer["type"]) == ("q", "next")
    assert answer["payload"]["data"] == {"__typename": "Query"}
    # Completing one gives the first address its place back.
    await first.send(json.dumps({"id": "a", "type": "complete"}))
    await subscribe(first, FEED, op="d")
    await subscribe(first, "{ __typename }", op="q")
    assert (await receive(first))["id"] == "q"
    for ws in (first, second, other):
        await ws.close()


@pytest.fixture
async def metered(ddb: Any, settings: Settings, streams: Any) -> AsyncIterator[Live]:
    # PAGE costs 41: a full bucket (60) pays for it once, then refills at 0.1 a second.
    limits = Limits(cost_per_second=0.1, cost_burst=60)
    async for value in start_live(ddb, settings, streams, limits=limits):
        for tenant in value.gateway.tenants.values():
            listings = demo.dataset(tenant.id, "kicks")["listings"]
            await put_items(ddb, tenant.tables.listings, listings)
        yield value


async def test_a_costly_operation_is_throttled_over_the_websocket_as_over_http(
    metered: Live,
) -> None:
    gw = metered.gateway
    over_http = [await gw.post(PAGE, tenant="kicks") for _ in range(2)]
    assert [r.status_code for r in over_http] == [200, 429]
    assert over_http[1].json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    ws = await metered.connect("threads", "read")
    await subscribe(ws, PAGE, op="1")
    first = await receive(ws)
    assert first["type"] == "next", first
    assert len(first["payload"]["data"]["productListings"]["edges"]) == 10
    await subscribe(ws, PAGE, op="2")
    second = await receive(ws)
    if second["id"] == "1":  # the first operation's `complete`
        second = await receive(ws)
    assert (second["type"], second["id"]) == ("error", "2"), second
    assert second["payload"][0]["extensions"]["code"] == "THROTTLED"
    # The WebSocket spent the bucket HTTP reads, as much as HTTP spent of kicks' one (the
    # settled cost; 0.1 a second refills at most a token in between).
    after = await gw.post(PAGE, tenant="threads")
    assert after.status_code == 429
    spent_over_http = 60 - int(over_http[1].headers["RateLimit-Remaining"])
    spent_over_ws = 60 - int(after.headers["RateLimit-Remaining"])
    assert spent_over_http > 20
    assert abs(spent_over_ws - spent_over_http) <= 1
    await ws.close()
