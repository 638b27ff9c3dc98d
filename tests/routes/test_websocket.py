"""Subscriptions over graphql-transport-ws on /graphql, fed by the tables' streams.

A real uvicorn server on the session's loop serves the gateway; a real WebSocket client
(the `websockets` package) speaks the protocol; changes travel DynamoDB Local's stream
-> the local stream runner -> the broker -> the subscription.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import websockets
from websockets.asyncio.client import ClientConnection

from graph.events.broker import Broker
from graph.events.changes import ListingChange
from graph.events.local import publishing
from graph.local import demo
from graph.registry.tenants import Limits
from graph.settings import REPO_ROOT, Settings
from graph.store import delete_tables, put_items
from tests.conftest import Audit, Gateway, make_audit, make_gateway, raw_key
from tests.http.test_persisted_queries import write_manifest
from tests.schema.test_mutations import CREATE, STATUS, new_listing

#: A guard against hanging, not a speed assertion (bench/ measures latency).
WAIT = 10.0
QUIET = 1.0
UPDATED = """subscription($id: ID!) { listingUpdated(id: $id) {
    id status version custom { size } } }"""


@dataclass
class Live:
    gateway: Gateway
    audit: Audit
    url: str
    pump: asyncio.Task[None]

    async def connect(self, tenant: str = "kicks", scope: str = "read") -> ClientConnection:
        ws = await websockets.connect(self.url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"apiKey": raw_key(tenant, scope)}})
        )
        ack = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert ack["type"] == "connection_ack", ack
        return ws

    async def create(self, **overrides: Any) -> str:
        body = await self.gateway.gql(CREATE, {"input": new_listing(**overrides)}, scope="write")
        assert "errors" not in body, body
        return str(body["data"]["createListing"]["listing"]["id"])

    async def settled(self, listing_id: str, changes: int = 1) -> None:
        """Wait until the stream runner has published `changes` changes of a listing."""
        broker = self.gateway.runtime.broker
        assert isinstance(broker, RecordingBroker)
        for _ in range(int(WAIT / 0.05)):
            if broker.ids.count(listing_id) >= changes:
                return
            await asyncio.sleep(0.05)
        pytest.fail(f"the stream runner did not publish {changes} change(s) of {listing_id}")


class RecordingBroker(Broker):
    """The broker, remembering which listings' changes it was handed."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def publish(self, change: ListingChange) -> bool:
        self.ids.append(change.listing_id)
        return super().publish(change)


async def subscribe(
    ws: ClientConnection, query: str, variables: dict[str, Any] | None = None, op: str = "1"
) -> None:
    payload = {"query": query, "variables": variables or {}}
    await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": payload}))


async def receive(ws: ClientConnection, within: float = WAIT) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
        if message["type"] not in ("ping", "pong"):
            return message


async def nothing_within(ws: ClientConnection, seconds: float = QUIET) -> None:
    try:
        message = await receive(ws, seconds)
    except TimeoutError:
        return
    pytest.fail(f"expected nothing, got {message}")


async def serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(1000):
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"ws://127.0.0.1:{port}/graphql"


async def pump_stream(audit: Audit, stop: asyncio.Event) -> None:
    """The local stream runner, as `graph dev` runs it (polling every 0.1 s here)."""
    await audit.runner.run_forever(interval=0.1, stop=stop.is_set)


async def start_live(
    ddb: Any, settings: Settings, streams: Any, limits: Limits | None = None
) -> AsyncIterator[Live]:
    # Sellers only: every listing on the stream is then one a test made.
    gw, tenants = await make_gateway(ddb, settings, ("kicks", "threads"), seed=False, limits=limits)
    for tenant in tenants:
        await put_items(ddb, tenant.tables.sellers, demo.dataset(tenant.id, "kicks")["sellers"])
    gw.runtime.broker = RecordingBroker()
    gw.runtime.broker.bind(asyncio.get_running_loop())
    audit = make_audit(gw, settings, ddb, streams)
    # As `graph dev` composes it; history is not what these tests are about, so the
    # audit writes are left out (they share DynamoDB Local with everything else).
    audit.runner.handler = publishing(
        lambda event: {"batchItemFailures": []}, gw.runtime.broker, gw.runtime.registry
    )
    server, serving, url = await serve(gw.app)
    stop = asyncio.Event()
    pump = asyncio.create_task(pump_stream(audit, stop))
    try:
        yield Live(gw, audit, url, pump)
    finally:
        stop.set()
        await pump
        server.should_exit = True
        await serving
        audit.consumer.close()
        await gw.http.aclose()
        await gw.runtime.aclose()
        for tenant in tenants:
            await delete_tables(ddb, tenant.tables)


@pytest.fixture
async def live(ddb: Any, settings: Settings, streams: Any) -> AsyncIterator[Live]:
    async for value in start_live(ddb, settings, streams):
        yield value


@pytest.fixture
async def strict(ddb: Any, settings: Settings, streams: Any) -> AsyncIterator[Live]:
    tight = settings.model_copy(
        update={"subscriptions_per_connection": 2, "subscription_idle_seconds": 1.5}
    )
    async for value in start_live(ddb, tight, streams):
        yield value


@pytest.fixture
async def capped(ddb: Any, settings: Settings, streams: Any) -> AsyncIterator[Live]:
    few = settings.model_copy(
        # One address may hold them all here: the per-address share has its own tests.
        update={
            "subscriptions_per_connection": 2,
            "subscriptions_per_tenant": 3,
            "subscriptions_share_per_address": 1.0,
        }
    )
    async for value in start_live(ddb, few, streams):
        yield value


REGISTERED = "subscription($id: ID!) { listingUpdated(id: $id) { id status } }"


@pytest.fixture
async def listed(ddb: Any, settings: Settings, streams: Any, tmp_path: Path) -> AsyncIterator[Live]:
    """Both tenants in safelist mode; kicks' manifest lists REGISTERED only."""
    shutil.copytree(settings.tenants_dir / "extensions", tmp_path / "extensions")
    write_manifest(tmp_path, "kicks", [REGISTERED])
    moved = settings.model_copy(update={"tenants_dir": tmp_path})
    async for value in start_live(ddb, moved, streams, limits=Limits(safelist=True)):
        yield value


async def test_safelist_mode_holds_over_the_websocket_too(listed: Live) -> None:
    ws = await listed.connect("kicks", "read")
    await subscribe(ws, UPDATED, {"id": "lst-x"}, op="unlisted")
    refused = await receive(ws)
    assert refused["type"] == "error"
    assert refused["id"] == "unlisted"
    assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "safelist" in refused["payload"][0]["message"]
    await subscribe(ws, REGISTERED, {"id": "lst-x"}, op="listed")
    # The widget's live subscription is a built-in operation of every tenant.
    live_document = (REPO_ROOT / "widget" / "resale-widget-live.graphql").read_text()
    await subscribe(ws, live_document, {"productId": "prd-001"}, op="widget")
    await nothing_within(ws)
    await ws.close()


async def test_a_change_from_any_writer_reaches_the_subscriber(live: Live) -> None:
    listing_id = await live.create(custom={"size": "9.5"})
    await live.settled(listing_id)
    ws = await live.connect()
    await subscribe(ws, UPDATED, {"id": listing_id})
    await nothing_within(ws, 0.5)  # the creation was published before the subscription
    await live.gateway.gql(STATUS, {"id": listing_id, "status": "RESERVED"}, scope="write")
    message = await receive(ws)
    assert (message["id"], message["type"]) == ("1", "next")
    assert message["payload"]["data"] == {
        "listingUpdated": {
            "id": listing_id,
            "status": "RESERVED",
            "version": 2,
            "custom": {"size": "9.5"},
        }
    }
    # The static limits ran for the subscription too: its cost was measured.
    assert message["payload"]["extensions"]["cost"]["requested"] > 0
    await ws.close()


async def test_listing_changed_filters_by_product_and_seller(live: Live) -> None:
    ws = await live.connect()
    query = """subscription($p: ID, $s: ID) { listingChanged(productId: $p, sellerId: $s)
        { id productId } }"""
    await subscribe(ws, query, {"p": "prd-777"}, op="product")
    await subscribe(ws, query, {"p": "prd-777", "s": "sel-002"}, op="both")
    await live.create(productId="prd-555")
    first = await live.create(productId="prd-777", sellerId="sel-001")
    message = await receive(ws)
    assert (message["id"], message["payload"]["data"]["listingChanged"]["id"]) == ("product", first)
    await nothing_within(ws, 0.5)
    second = await live.create(productId="prd-777", sellerId="sel-002")
    got = {
        (m["id"], m["payload"]["data"]["listingChanged"]["id"])
        for m in [await receive(ws), await receive(ws)]
    }
    assert got == {("product", second), ("both", second)}
    await ws.close()


async def test_another_tenant_receives_nothing(live: Live) -> None:
    listing_id = await live.create()
    await live.settled(listing_id)
    kicks = await live.connect("kicks")
    threads = await live.connect("threads")
    await subscribe(kicks, UPDATED.replace(" custom { size }", ""), {"id": listing_id})
    await subscribe(threads, UPDATED.replace(" custom { size }", ""), {"id": listing_id})
    everything = "subscription { listingChanged { id } }"
    await subscribe(threads, everything, op="all")
    await live.gateway.gql(STATUS, {"id": listing_id, "status": "RESERVED"}, scope="write")
    assert (await receive(kicks))["payload"]["data"]["listingUpdated"]["status"] == "RESERVED"
    await nothing_within(threads)
    assert live.gateway.runtime.broker.published >= 1
    await kicks.close()
    await threads.close()


async def test_a_read_key_never_sees_private_fields(live: Live) -> None:
    listing_id = await live.create(custom={"purchasePrice": "80.00"})
    await live.settled(listing_id)
    reader = await live.connect(scope="read")
    private = (
        """subscription($id: ID!) { listingUpdated(id: $id) { id custom { purchasePrice } } }"""
    )
    await subscribe(reader, private, {"id": listing_id})
    refused = await receive(reader)
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "purchasePrice" in refused["payload"][0]["message"]
    writer = await live.connect(scope="write")
    await subscribe(writer, private, {"id": listing_id})
    await subscribe(reader, UPDATED, {"id": listing_id}, op="2")
    await live.gateway.gql(STATUS, {"id": listing_id, "status": "RESERVED"}, scope="write")
    seen_by_writer = await receive(writer)
    assert seen_by_writer["payload"]["data"]["listingUpdated"]["custom"] == {
        "purchasePrice": "80.00"
    }
    seen_by_reader = await receive(reader)
    assert "purchasePrice" not in json.dumps(seen_by_reader)
    await reader.close()
    await writer.close()


async def test_a_document_over_the_static_limits_is_refused(live: Live) -> None:
    ws = await live.connect()
    deep = "subscription { listingChanged { " + "seller { listings(first: 1) { edges { node { " * 4
    deep += "id" + " } } } }" * 4 + " } }"
    await subscribe(ws, deep)
    refused = await receive(ws)
    assert refused["type"] == "error", refused
    extensions = refused["payload"][0]["extensions"]
    assert extensions["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert extensions["limit"]["name"] == "maxDepth"
    await ws.close()


async def test_a_bad_key_is_refused_at_connection_init(live: Live) -> None:
    ws = await websockets.connect(live.url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"apiKey": "rg_kicks-test-read_wrong"}})
    )
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), WAIT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert closed.value.rcvd.reason.startswith("UNAUTHENTICATED")


async def test_subscriptions_per_connection_are_limited(strict: Live) -> None:
    ws = await strict.connect()
    for op in ("a", "b"):
        await subscribe(ws, "subscription { listingChanged { id } }", op=op)
    await subscribe(ws, "subscription { listingChanged { id } }", op="c")
    refused = await receive(ws)
    assert refused["id"] == "c"
    assert refused["type"] == "error"
    extensions = refused["payload"][0]["extensions"]
    assert extensions["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
    assert extensions["limit"]["name"] == "subscriptionsPerConnection"
    await ws.send(json.dumps({"id": "a", "type": "complete"}))
    await asyncio.sleep(0.1)
    await subscribe(ws, "subscription { listingChanged { id } }", op="c")
    await nothing_within(ws, 0.3)  # accepted now: nothing refused
    await ws.close()


async def test_subscriptions_per_tenant_are_limited_across_connections(capped: Live) -> None:
    first, second, other = await capped.connect(), await capped.connect(), await capped.connect()
    everything = "subscription { listingChanged { id } }"
    for op in ("a", "b"):
        await subscribe(first, everything, op=op)
    await subscribe(second, everything, op="c")
    await subscribe(second, everything, op="d")  # the tenant's fourth: one too many
    refused = await receive(second)
    assert (refused["id"], refused["type"]) == ("d", "error")
    extensions = refused["payload"][0]["extensions"]
    assert extensions["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
    assert extensions["limit"] == {"name": "subscriptionsPerTenant", "value": 3, "actual": 4}
    threads = await capped.connect("threads")
    await subscribe(threads, everything, op="t")  # another tenant's budget is its own
    await nothing_within(threads, 0.3)
    await first.close()  # closing a connection gives its subscriptions back
    await asyncio.sleep(0.2)
    await subscribe(other, everything, op="e")
    await nothing_within(other, 0.3)
    for ws in (second, other, threads):
        await ws.close()


async def test_a_silent_connection_is_closed_idle(strict: Live) -> None:
    ws = await strict.connect()
    await subscribe(ws, "subscription { listingChanged { id } }")
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), WAIT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4000
    assert closed.value.rcvd.reason.startswith("IDLE_TIMEOUT")


async def test_a_subscription_over_http_gets_a_code(live: Live) -> None:
    body = await live.gateway.gql("subscription { listingChanged { id } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "graphql-transport-ws" in body["errors"][0]["message"]
