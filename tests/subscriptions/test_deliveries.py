"""Subscription events are charged per delivery (issue 30): each event a subscription
delivers is charged to the tenant's cost bucket like the same operation over HTTP (its
static cost before it is resolved, settled on its work after), so one socket cannot
read past the tenant's rate; once the bucket is empty an event is dropped and the
client gets `next` with `data: null` and a THROTTLED error, and the subscription stays
open. On the local WebSocket and in the AWS fan-out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from graph.limits.buckets import TokenBucket
from graph.limits.extension import resolved_fields
from graph.registry.tenants import Limits
from graph.settings import Settings
from graph.store import to_wire
from tests.conftest import Audit, Gateway, raw_key
from tests.events.test_contract import captured_records
from tests.routes.test_websocket import Live, receive, start_live, subscribe
from tests.schema.test_mutations import CREATE, STATUS, new_listing
from tests.subscriptions.test_api_gateway import Aws, aws, connected, subscribed

__all__ = ["aws"]  # the fixture, used by name below

#: An event of this subscription reads the listing's seller and a page of its listings.
WITH_SELLER = """subscription($id: ID!) { listingUpdated(id: $id) {
    id status seller { displayName listings(first: 5) { edges { node { id } } } } } }"""


def bucket_of(gateway: Gateway, tenant: str = "kicks") -> TokenBucket:
    principal = gateway.runtime.authenticate(raw_key(tenant, "read"))
    assert principal is not None
    return gateway.runtime.graph_of(principal).gate.bucket


def throttled(message: dict[str, Any]) -> bool:
    payload = message["payload"]
    codes = [e["extensions"]["code"] for e in payload.get("errors", [])]
    return message["type"] == "next" and payload["data"] is None and codes == ["THROTTLED"]


# -- the AWS fan-out ---------------------------------------------------------------------


async def test_the_fan_out_charges_each_delivery_and_drops_one_the_bucket_cannot_pay(
    aws: Aws, gateway: Gateway, audit: Audit
) -> None:
    body = await gateway.gql(CREATE, {"input": new_listing(productId="prd-meter")}, scope="write")
    listing_id = body["data"]["createListing"]["listing"]["id"]
    await captured_records(audit)
    await connected(aws, "metered")
    await subscribed(aws, "metered", "s", WITH_SELLER, id=listing_id)
    # Hardly any refill: what the bucket loses is what the deliveries were charged.
    bucket = TokenBucket(rate=0.001, capacity=1_000)
    principal = gateway.runtime.authenticate(raw_key("kicks", "read"))
    assert principal is not None
    gateway.runtime.graph_of(principal).gate.bucket = bucket
    spent: list[int] = []

    async def fan_out(status: str, *, empty: bool = False) -> dict[str, Any]:
        await gateway.gql(STATUS, {"id": listing_id, "status": status}, scope="write")
        records = [r for r in await captured_records(audit) if "listingId" in r["dynamodb"]["Keys"]]
        aws.management.posts.clear()
        if empty:
            bucket.debit(bucket.remaining + 1)
        before = bucket.remaining  # after the write, which pays from the same bucket
        assert await aws.fanout.handle({"Records": records}) == {"batchItemFailures": []}
        spent.append(before - bucket.remaining)
        (posted,) = aws.management.to("metered")
        return posted

    for status in ("RESERVED", "ACTIVE"):
        delivered = await fan_out(status)
        assert delivered["payload"]["data"]["listingUpdated"]["status"] == status
        # The event's settled work (its resolved fields), plus 1 for the subscribe's
        # checks that each fan-out run repeats; never nothing.
        assert spent[-1] >= resolved_fields(delivered["payload"]["data"]) + 1
    assert spent[0] == spent[1]
    # Empty: the next change is dropped with a coded message, nothing resolved.
    assert throttled(await fan_out("RESERVED", empty=True))
    assert spent[-1] == 0
    # Refilled: delivered again (the subscription was never dropped).
    bucket.give_back(1_000)
    assert (await fan_out("ACTIVE"))["payload"]["data"]["listingUpdated"]["status"] == "ACTIVE"


# -- the local WebSocket -----------------------------------------------------------------


@pytest.fixture
async def metered(ddb: Any, settings: Settings, streams: Any) -> AsyncIterator[Live]:
    # Hardly any refill: what the bucket loses is what the deliveries were charged.
    limits = Limits(cost_per_second=0.001, cost_burst=1_000)
    async for value in start_live(ddb, settings, streams, limits=limits):
        yield value


async def test_each_local_event_is_charged_and_one_the_bucket_cannot_pay_is_dropped(
    metered: Live, ddb: Any
) -> None:
    gw = metered.gateway
    listing_id = await metered.create(productId="prd-meter")
    await metered.settled(listing_id)
    ws = await metered.connect("kicks", "read")
    await subscribe(ws, WITH_SELLER, {"id": listing_id}, op="s")
    bucket = bucket_of(gw)
    table = gw.tenants["kicks"].tables.listings

    async def change(title: str) -> dict[str, Any]:
        # Written straight to the table (any writer): no HTTP request pays from the bucket.
        await ddb.update_item(
            TableName=table,
            Key=to_wire({"listingId": listing_id}),
            UpdateExpression="SET title = :t",
            ExpressionAttributeValues=to_wire({":t": title}),
        )
        message = await receive(ws)
        assert message["id"] == "s"
        return message

    spent = []
    for n in range(2):
        before = bucket.remaining
        event = await change(f"Charged {n}")
        assert event["payload"]["data"]["listingUpdated"]["id"] == listing_id
        spent.append(before - bucket.remaining)
        assert spent[-1] >= resolved_fields(event["payload"]["data"])
    assert abs(spent[0] - spent[1]) <= 1  # the slow refill may cross a whole token
    bucket.debit(bucket.remaining + 1)
    assert throttled(await change("Dropped"))
    bucket.give_back(1_000)
    event = await change("Delivered again")
    assert event["payload"]["data"]["listingUpdated"]["status"] == "ACTIVE"
    await ws.close()
