"""Fair subscription quotas on the API Gateway WebSocket functions (issue 30): the
per-address share of connections and subscriptions, subscriptions per tenant and per
connection, counted in the connections table on DynamoDB Local, refused with the local
server's codes and metric, and right under concurrent connects."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from graph.store import to_wire
from tests.conftest import Gateway, raw_key
from tests.subscriptions.test_api_gateway import BY_PRODUCT, Aws, aws, message, sample

__all__ = ["aws"]  # the fixture, used by name below

HOME = "203.0.113.10"
OTHER = "198.51.100.7"


@pytest.fixture
def quotas(gateway: Gateway) -> None:
    """4 subscriptions per tenant, half of them (2) per client address, as the local
    server's share tests; 3 per connection."""
    gateway.runtime.settings = gateway.runtime.settings.model_copy(
        update={
            "subscriptions_per_tenant": 4,
            "subscriptions_share_per_address": 0.5,
            "subscriptions_per_connection": 3,
        }
    )


def from_address(event: dict[str, Any], address: str) -> dict[str, Any]:
    event["requestContext"]["identity"]["sourceIp"] = address
    return event


async def opened(aws: Aws, connection_id: str, address: str = HOME) -> bool:
    """$connect then connection_init from `address`; whether it was acknowledged."""
    connect = from_address(sample("apigw-websocket-connect.json", connection_id), address)
    assert (await aws.api.handle(connect))["statusCode"] == 200
    init = {"type": "connection_init", "payload": {"apiKey": raw_key("kicks", "read")}}
    await aws.api.handle(from_address(message(connection_id, init), address))
    return {"type": "connection_ack"} in aws.management.to(connection_id)


async def answer(aws: Aws, connection_id: str, op: str, product: str) -> dict[str, Any] | None:
    """Subscribe; the `error` message it got, or None when it was kept."""
    body = {
        "id": op,
        "type": "subscribe",
        "payload": {"query": BY_PRODUCT, "variables": {"p": product}},
    }
    await aws.api.handle(message(connection_id, body))
    errors = [m for m in aws.management.to(connection_id) if m.get("id") == op]
    return errors[0] if errors else None


async def count(aws: Aws, owner: str, sk: str) -> int:
    response = await aws.ddb.get_item(
        TableName=aws.connections.table,
        Key=to_wire({"connectionId": owner, "sk": sk}),
        ConsistentRead=True,
    )
    item = response.get("Item")
    return int(item["n"]["N"]) if item else 0


async def test_an_address_holds_at_most_its_share_of_connections(
    aws: Aws, quotas: None, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert await opened(aws, "home-1")
    assert await opened(aws, "home-2")
    capsys.readouterr()
    # The third from the same address is closed (4429 locally; API Gateway has no codes).
    assert not await opened(aws, "home-3")
    assert "home-3" in aws.management.deleted
    assert await aws.connections.connection("home-3") is None
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert any("SubscriptionRefusals" in line and line["tenant"] == "kicks" for line in emitted)
    limits = [getattr(r, "limit", None) for r in caplog.records]
    assert "connectionsPerAddress" in limits
    # A key at $connect is refused there: HTTP 429 and no connection.
    keyed = from_address(
        sample(
            "apigw-websocket-connect.json",
            "home-4",
            queryStringParameters={"apiKey": raw_key("kicks", "read")},
        ),
        HOME,
    )
    refused = await aws.api.handle(keyed)
    assert refused["statusCode"] == 429
    assert refused["body"].startswith("SUBSCRIPTION_LIMIT_EXCEEDED")
    assert await aws.connections.connection("home-4") is None
    # Another address connects; a disconnect gives the first address its place back.
    assert await opened(aws, "other-1", OTHER)
    assert await count(aws, f"quota#kicks#{HOME}", "connections") == 2
    await aws.api.handle(sample("apigw-websocket-disconnect.json", "home-1"))
    assert await count(aws, f"quota#kicks#{HOME}", "connections") == 1
    assert await opened(aws, "home-5")


async def test_subscriptions_per_address_tenant_and_connection(aws: Aws, quotas: None) -> None:
    assert await opened(aws, "a-1")
    assert await opened(aws, "a-2")
    assert await answer(aws, "a-1", "1", "prd-1") is None
    assert await answer(aws, "a-2", "2", "prd-2") is None
    # The address holds 2 of the tenant's 4: refused over both its connections.
    over = await answer(aws, "a-1", "3", "prd-3")
    assert over is not None
    assert over["type"] == "error"
    extensions = over["payload"][0]["extensions"]
    assert extensions["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
    assert extensions["limit"] == {"name": "subscriptionsPerAddress", "value": 2, "actual": 3}
    assert len(await aws.connections.subscriptions("a-1")) == 1
    # Two more from another address fill the tenant's 4; a third address is refused.
    assert await opened(aws, "b-1", OTHER)
    assert await answer(aws, "b-1", "1", "prd-1") is None
    assert await answer(aws, "b-1", "2", "prd-2") is None
    assert await opened(aws, "c-1", "192.0.2.33")
    tenant = await answer(aws, "c-1", "1", "prd-1")
    assert tenant is not None
    limit = tenant["payload"][0]["extensions"]["limit"]
    assert limit == {"name": "subscriptionsPerTenant", "value": 4, "actual": 5}
    assert await count(aws, "quota#kicks", "subscriptions") == 4
    # complete releases every count it took.
    await aws.api.handle(message("b-1", {"id": "2", "type": "complete"}))
    assert await count(aws, "quota#kicks", "subscriptions") == 3
    assert await count(aws, f"quota#kicks#{OTHER}", "subscriptions") == 1
    assert await answer(aws, "c-1", "1b", "prd-1") is None
    # Per connection (3): one address may hold 4 of a roomier tenant's subscriptions.
    aws.api.runtime.settings = aws.api.runtime.settings.model_copy(
        update={"subscriptions_per_tenant": 100, "subscriptions_share_per_address": 0.5}
    )
    for op in ("2", "3"):
        assert await answer(aws, "c-1", op, "prd-2") is None
    per_connection = await answer(aws, "c-1", "4", "prd-4")
    assert per_connection is not None
    assert per_connection["payload"][0]["extensions"]["limit"]["name"] == (
        "subscriptionsPerConnection"
    )
    # Forgetting a connection releases its subscriptions and itself.
    await aws.api.handle(sample("apigw-websocket-disconnect.json", "c-1"))
    assert await count(aws, "quota#kicks", "subscriptions") == 3
    assert await count(aws, "quota#kicks#192.0.2.33", "subscriptions") == 0
    assert await count(aws, "quota#kicks#192.0.2.33", "connections") == 0


async def test_concurrent_connects_from_one_address_take_exactly_its_share(
    aws: Aws, quotas: None
) -> None:
    """Ten connection_inits at once from one address, each its own invocation: the
    counter's conditional update in each transaction admits exactly two."""
    ids = [f"rush-{n}" for n in range(10)]
    for connection_id in ids:
        connect = from_address(sample("apigw-websocket-connect.json", connection_id), HOME)
        assert (await aws.api.handle(connect))["statusCode"] == 200
    init = {"type": "connection_init", "payload": {"apiKey": raw_key("kicks", "read")}}
    await asyncio.gather(*(aws.api.handle(from_address(message(cid, init), HOME)) for cid in ids))
    acked = [cid for cid in ids if {"type": "connection_ack"} in aws.management.to(cid)]
    assert len(acked) == 2
    assert sorted(aws.management.deleted) == sorted(set(ids) - set(acked))
    assert await count(aws, f"quota#kicks#{HOME}", "connections") == 2
    # Concurrent subscribes of those two connections: 2 kept for the address, not more.
    await asyncio.gather(
        *(answer(aws, cid, op, f"prd-{op}") for cid in acked for op in ("x", "y", "z"))
    )
    kept = [s for cid in acked for s in await aws.connections.subscriptions(cid)]
    assert len(kept) == 2
    assert await count(aws, f"quota#kicks#{HOME}", "subscriptions") == 2
