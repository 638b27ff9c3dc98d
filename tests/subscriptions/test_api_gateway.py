"""The WebSocket Lambda handlers on AWS-shaped events, against DynamoDB Local.

The connections table is real (DynamoDB Local); so are the listings stream records the
fan-out gets. The API Gateway Management API is not available locally: a real
aiobotocore client for it answers from a `before-send` hook (200, or 410 GoneException
for connections the test declares gone), and the hook records every call.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aioboto3
import pytest
from aiobotocore.awsrequest import AioAWSResponse

from graph.store import CONNECTIONS, ConnectionStore, Management
from graph.subscriptions.fanout import FanOut
from graph.subscriptions.websocket_api import WebSocketApi
from tests.conftest import Audit, Gateway, raw_key
from tests.events.test_contract import captured_records
from tests.schema.test_mutations import CREATE, STATUS, new_listing

SAMPLES = Path(__file__).parents[1] / "samples"
ENDPOINT = "https://abc123def4.execute-api.us-east-1.amazonaws.com/live"


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self) -> bytes:
        return self._data


@dataclass
class ManagementApi:
    """What the Management API was asked, and which connections are gone."""

    gone: set[str] = field(default_factory=set)
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def answer(self, request: Any, **_: Any) -> AioAWSResponse:
        connection_id = request.url.rsplit("/@connections/", 1)[1]
        if connection_id in self.gone:
            headers = {"x-amzn-ErrorType": "GoneException", "Content-Type": "application/json"}
            return AioAWSResponse(request.url, 410, headers, _Body(b'{"message":"Gone"}'))
        if request.method == "POST":
            self.posts.append((connection_id, json.loads(request.body)))
        elif request.method == "DELETE":
            self.deleted.append(connection_id)
        return AioAWSResponse(request.url, 200, {}, _Body(b""))

    def to(self, connection_id: str) -> list[dict[str, Any]]:
        return [message for cid, message in self.posts if cid == connection_id]


@dataclass
class Aws:
    api: WebSocketApi
    fanout: FanOut
    connections: ConnectionStore
    management: ManagementApi
    #: The DynamoDB client the connections table is on.
    ddb: Any = None


@pytest.fixture
async def aws(gateway: Gateway, ddb: Any) -> AsyncIterator[Aws]:
    table = f"t{uuid.uuid4().hex[:10]}-kicks-connections"
    await ddb.create_table(**CONNECTIONS.create_table_request(table))
    recorder = ManagementApi()
    session = aioboto3.Session()
    async with session.client(
        "apigatewaymanagementapi",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ) as client:
        client.meta.events.register("before-send.apigatewaymanagementapi", recorder.answer)
        connections = ConnectionStore(ddb, table)
        management = Management(client)
        runtime = gateway.runtime
        tenant = gateway.tenants["kicks"]
        yield Aws(
            WebSocketApi(runtime, connections, management),
            FanOut(runtime, tenant, connections, management),
            connections,
            recorder,
            ddb,
        )
    await ddb.delete_table(TableName=table)


def sample(name: str, connection_id: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(json.loads((SAMPLES / name).read_text()))
    event["requestContext"]["connectionId"] = connection_id
    event.update(changes)
    return event


def message(connection_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return sample("apigw-websocket-message.json", connection_id, body=json.dumps(body))


async def connected(aws: Aws, connection_id: str, scope: str = "read") -> None:
    response = await aws.api.handle(sample("apigw-websocket-connect.json", connection_id))
    assert response["statusCode"] == 200
    init = {"type": "connection_init", "payload": {"apiKey": raw_key("kicks", scope)}}
    await aws.api.handle(message(connection_id, init))
    assert aws.management.to(connection_id)[-1] == {"type": "connection_ack"}


async def subscribed(aws: Aws, connection_id: str, op: str, query: str, **variables: Any) -> None:
    body = {"id": op, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    await aws.api.handle(message(connection_id, body))


UPDATED = "subscription($id: ID!) { listingUpdated(id: $id) { id status custom { size } } }"
PRIVATE = "subscription($id: ID!) { listingUpdated(id: $id) { id custom { purchasePrice } } }"
BY_PRODUCT = "subscription($p: ID) { listingChanged(productId: $p) { id status } }"


async def test_a_bad_key_at_connect_is_refused(aws: Aws) -> None:
    event = sample(
        "apigw-websocket-connect.json", "bad-1", queryStringParameters={"apiKey": "rg_kicks_nope"}
    )
    response = await aws.api.handle(event)
    assert response["statusCode"] == 401
    assert response["body"].startswith("UNAUTHENTICATED")
    assert await aws.connections.connection("bad-1") is None


async def test_a_bad_key_at_connection_init_closes_the_connection(aws: Aws) -> None:
    assert (await aws.api.handle(sample("apigw-websocket-connect.json", "bad-2")))[
        "statusCode"
    ] == 200
    init = {"type": "connection_init", "payload": {"apiKey": "rg_kicks-test-read_wrongSecret"}}
    await aws.api.handle(message("bad-2", init))
    assert aws.management.deleted == ["bad-2"]
    assert aws.management.to("bad-2") == []
    assert await aws.connections.connection("bad-2") is None


async def test_a_good_key_at_connect_and_the_subprotocol(aws: Aws) -> None:
    event = sample(
        "apigw-websocket-connect.json",
        "good-1",
        queryStringParameters={"apiKey": raw_key("kicks", "read")},
    )
    response = await aws.api.handle(event)
    assert response == {
        "statusCode": 200,
        "headers": {"Sec-WebSocket-Protocol": "graphql-transport-ws"},
    }
    stored = await aws.connections.connection("good-1")
    assert stored is not None
    assert (stored["tenant"], stored["keyId"]) == ("kicks", "kicks-test-read")
    no_protocol = sample("apigw-websocket-connect.json", "good-2")
    del no_protocol["headers"]["Sec-WebSocket-Protocol"]
    assert (await aws.api.handle(no_protocol))["statusCode"] == 400


async def test_subscribe_is_checked_like_the_local_server(aws: Aws, gateway: Gateway) -> None:
    await connected(aws, "c-read")
    await subscribed(aws, "c-read", "private", PRIVATE, id="lst-1")
    (refused,) = [m for m in aws.management.to("c-read") if m.get("id") == "private"]
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    deep = "subscription { listingChanged { " + "seller { listings(first: 1) { edges { node { " * 4
    deep += "id" + " } } } }" * 4 + " } }"
    await subscribed(aws, "c-read", "deep", deep)
    (too_deep,) = [m for m in aws.management.to("c-read") if m.get("id") == "deep"]
    assert too_deep["payload"][0]["extensions"]["limit"]["name"] == "maxDepth"
    assert await aws.connections.subscriptions("c-read") == []
    await subscribed(aws, "c-read", "ok", UPDATED, id="lst-1")
    (kept,) = await aws.connections.subscriptions("c-read")
    assert (kept["sk"], kept["topic"]) == ("sub#ok", "listing#lst-1")


async def test_subscriptions_per_connection_are_limited(aws: Aws, gateway: Gateway) -> None:
    gateway.runtime.settings = gateway.runtime.settings.model_copy(
        update={"subscriptions_per_connection": 1}
    )
    await connected(aws, "c-lim")
    await subscribed(aws, "c-lim", "1", BY_PRODUCT, p="prd-1")
    await subscribed(aws, "c-lim", "2", BY_PRODUCT, p="prd-2")
    (refused,) = [m for m in aws.management.to("c-lim") if m.get("id") == "2"]
    assert refused["payload"][0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
    assert len(await aws.connections.subscriptions("c-lim")) == 1


async def test_fan_out_delivers_once_per_subscriber_and_forgets_gone_ones(
    aws: Aws, gateway: Gateway, audit: Audit
) -> None:
    body = await gateway.gql(
        CREATE,
        {"input": new_listing(productId="prd-fan", custom={"size": "10", "purchasePrice": "50"})},
        scope="write",
    )
    listing_id = body["data"]["createListing"]["listing"]["id"]
    await captured_records(audit)  # the creation is not what this test fans out
    await connected(aws, "reader")
    await subscribed(aws, "reader", "one", UPDATED, id=listing_id)
    await subscribed(aws, "reader", "two", BY_PRODUCT, p="prd-fan")
    await connected(aws, "writer", scope="write")
    await subscribed(aws, "writer", "w", PRIVATE, id=listing_id)
    await connected(aws, "elsewhere")
    await subscribed(aws, "elsewhere", "x", BY_PRODUCT, p="prd-other")
    await connected(aws, "left")
    await subscribed(aws, "left", "l", UPDATED, id=listing_id)
    aws.management.gone.add("left")
    aws.management.posts.clear()

    await gateway.gql(STATUS, {"id": listing_id, "status": "RESERVED"}, scope="write")
    records = await captured_records(audit)
    listing_records = [r for r in records if "listingId" in r["dynamodb"]["Keys"]]
    assert len(listing_records) == 1
    response = await aws.fanout.handle({"Records": listing_records})
    assert response == {"batchItemFailures": []}

    delivered = sorted((cid, m["id"]) for cid, m in aws.management.posts)
    assert delivered == [("reader", "one"), ("reader", "two"), ("writer", "w")]
    reader_one = next(m for cid, m in aws.management.posts if (cid, m["id"]) == ("reader", "one"))
    assert reader_one["payload"]["data"]["listingUpdated"] == {
        "id": listing_id,
        "status": "RESERVED",
        "custom": {"size": "10"},
    }
    writer = aws.management.to("writer")[0]
    assert writer["payload"]["data"]["listingUpdated"]["custom"]["purchasePrice"] in {"50", "50.00"}
    assert "purchasePrice" not in json.dumps(aws.management.to("reader"))
    assert await aws.connections.connection("left") is None
    assert await aws.connections.subscriptions("left") == []
    assert (aws.fanout.posted, aws.fanout.removed) == (3, 1)

    # The same batch again (Lambda retries at least once): once more per subscriber.
    aws.management.posts.clear()
    await aws.fanout.handle({"Records": listing_records})
    assert sorted((cid, m["id"]) for cid, m in aws.management.posts) == delivered


async def test_disconnect_forgets_the_connection(aws: Aws) -> None:
    await connected(aws, "bye")
    await subscribed(aws, "bye", "1", BY_PRODUCT, p="prd-1")
    await aws.api.handle(message("bye", {"type": "ping"}))
    assert aws.management.to("bye")[-1] == {"type": "pong"}
    await aws.api.handle(sample("apigw-websocket-disconnect.json", "bye"))
    assert await aws.connections.connection("bye") is None
    assert await aws.connections.subscriptions("bye") == []


async def test_a_message_over_128_kb_is_dropped_not_fatal(aws: Aws) -> None:
    management = aws.fanout.management
    big = {"id": "1", "type": "next", "payload": {"data": {"blob": "x" * (128 * 1024)}}}
    small = {"id": "2", "type": "next", "payload": {"data": {"ok": True}}}
    gone = await management.post_all([("big", big), ("small", small)])
    assert gone == set()
    assert aws.management.posts == [("small", small)]
