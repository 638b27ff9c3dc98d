"""The audit trail: stream records -> history; read per listing, seller, actor; asOf."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.audit.entries import entry_for
from tests.conftest import Audit, Gateway, make_audit, raw_key
from tests.test_mutations import CREATE, STATUS, UPDATE, new_listing

HISTORY = """query($id: ID!) { listing(id: $id) { history(first: 20) { edges { node {
    event actor version requestId at changes { field old new } } } } } }"""


async def create(gateway: Gateway, **overrides: Any) -> dict[str, Any]:
    body = await gateway.gql(CREATE, {"input": new_listing(**overrides)}, scope="write")
    listing: dict[str, Any] = body["data"]["createListing"]["listing"]
    return listing


async def test_every_write_becomes_one_history_entry(gateway: Gateway, audit: Audit) -> None:
    listing = await create(gateway)
    response = await gateway.post(
        UPDATE, {"id": listing["id"], "v": 1, "input": {"title": "New title"}}, scope="write"
    )
    request_id = response.headers["x-request-id"]
    await gateway.gql(STATUS, {"id": listing["id"], "status": "RESERVED"}, scope="write")
    await audit.drain()
    body = await gateway.gql(HISTORY, {"id": listing["id"]})
    nodes = [e["node"] for e in body["data"]["listing"]["history"]["edges"]]
    assert [(n["event"], n["version"]) for n in nodes] == [
        ("UPDATED", 3),
        ("UPDATED", 2),
        ("CREATED", 1),
    ]
    assert {n["actor"] for n in nodes} == {"kicks-test-write"}
    assert nodes[0]["changes"] == [{"field": "status", "old": "ACTIVE", "new": "RESERVED"}]
    assert nodes[1]["changes"] == [
        {"field": "title", "old": "Worn twice: Air Max 90", "new": "New title"}
    ]
    assert nodes[1]["requestId"] == request_id
    assert {c["field"] for c in nodes[2]["changes"]} >= {"title", "price", "sellerId"}
    price = next(c for c in nodes[2]["changes"] if c["field"] == "price")
    assert price["new"] == {"amount": "129.9", "currency": "USD"} or price["new"] == {
        "amount": "129.90",
        "currency": "USD",
    }


async def test_redelivered_records_add_nothing(gateway: Gateway, audit: Audit) -> None:
    await create(gateway)
    delivered: list[dict[str, Any]] = []
    real = audit.runner.handler

    def twice(event: dict[str, Any]) -> dict[str, Any]:
        delivered.append(event)
        real(event)
        return real(event)  # type: ignore[no-any-return]

    audit.runner.handler = twice
    await audit.drain()
    records = sum(len(e["Records"]) for e in delivered)
    assert records > 0
    assert audit.consumer.written == records
    assert audit.consumer.duplicates == records


async def test_poison_record_is_reported_alone(gateway: Gateway, audit: Audit) -> None:
    await create(gateway)
    events: list[dict[str, Any]] = []
    audit.runner.handler = lambda e: events.append(e) or {"batchItemFailures": []}
    await audit.drain()
    good = events[0]["Records"][0]
    poison = {**good, "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/other/stream/x"}
    poison["dynamodb"] = {**good["dynamodb"], "SequenceNumber": "999"}
    broken = {**good, "dynamodb": {"SequenceNumber": "998"}}
    response = await asyncio.to_thread(audit.consumer.handle, {"Records": [good, poison, broken]})
    assert response == {"batchItemFailures": [{"itemIdentifier": "999"}, {"itemIdentifier": "998"}]}


async def test_seller_history_and_audit_trail(gateway: Gateway, audit: Audit) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    listing = await create(gateway, sellerId="sel-002")
    await gateway.gql(
        'mutation { upsertSeller(input: {id: "sel-002", displayName: "Renamed"}) '
        "{ seller { id } } }",
        scope="admin",
    )
    await audit.drain()
    body = await gateway.gql(
        '{ seller(id: "sel-002") { history(first: 50) { edges { node { entityType entityId '
        "event actor } } } } }"
    )
    nodes = [e["node"] for e in body["data"]["seller"]["history"]["edges"]]
    assert nodes[0] == {
        "entityType": "SELLER",
        "entityId": "sel-002",
        "event": "UPDATED",
        "actor": "kicks-test-admin",
    }
    assert {
        "entityType": "LISTING",
        "entityId": listing["id"],
        "event": "CREATED",
        "actor": "kicks-test-write",
    } in nodes
    trail = """query($actor: String!, $from: DateTime) { auditTrail(actor: $actor, from: $from,
        first: 10) { edges { node { entityId event } } } }"""
    variables = {"actor": "kicks-test-write", "from": before.isoformat()}
    forbidden = await gateway.gql(trail, variables, scope="write")
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gateway.gql(trail, variables, scope="admin")
    trail_ids = [e["node"]["entityId"] for e in body["data"]["auditTrail"]["edges"]]
    assert trail_ids == [listing["id"]]  # the admin's seller rename is another actor's
    later = {"actor": "kicks-test-write", "from": datetime.now(UTC).isoformat()}
    empty = await gateway.gql(trail, later, scope="admin")
    assert empty["data"]["auditTrail"]["edges"] == []


async def test_listing_as_of(gateway: Gateway, audit: Audit) -> None:
    start = datetime.now(UTC)
    listing = await create(gateway, title="First title")
    await asyncio.sleep(0.01)
    after_create = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await gateway.gql(
        UPDATE, {"id": listing["id"], "v": 1, "input": {"title": "Second title"}}, scope="write"
    )
    await asyncio.sleep(0.01)
    after_update = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await gateway.gql(STATUS, {"id": listing["id"], "status": "WITHDRAWN"}, scope="write")
    await audit.drain()
    query = (
        "query($id: ID!, $at: DateTime) { listing(id: $id, asOf: $at) { title status version } }"
    )

    async def at(moment: datetime) -> Any:
        body = await gateway.gql(query, {"id": listing["id"], "at": moment.isoformat()})
        assert "errors" not in body, body
        return body["data"]["listing"]

    assert await at(start - timedelta(seconds=1)) is None
    assert await at(after_create) == {"title": "First title", "status": "ACTIVE", "version": 1}
    assert await at(after_update) == {"title": "Second title", "status": "ACTIVE", "version": 2}
    assert await at(datetime.now(UTC)) == {
        "title": "Second title",
        "status": "WITHDRAWN",
        "version": 3,
    }
    naive = await gateway.gql(query, {"id": listing["id"], "at": "2026-01-01T00:00:00"})
    assert naive["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_concurrent_updates_leave_one_change(
    roomy: Gateway, settings: Any, ddb: Any, streams: Any
) -> None:
    gateway = roomy
    audit = make_audit(gateway, settings, ddb, streams)
    await audit.drain()
    await asyncio.gather(
        *(
            gateway.gql(
                UPDATE, {"id": "lst-0005", "v": 1, "input": {"title": f"Writer {n}"}}, scope="write"
            )
            for n in range(20)
        )
    )
    await audit.drain()
    body = await gateway.gql(HISTORY, {"id": "lst-0005"})
    audit.consumer.close()
    events = [e["node"]["event"] for e in body["data"]["listing"]["history"]["edges"]]
    assert events == ["UPDATED", "CREATED"]  # the seed's insert, then the one winner


def test_entry_for_is_deterministic() -> None:
    record = {
        "eventID": "1",
        "eventName": "MODIFY",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t-listings/stream/2026",
        "dynamodb": {
            "Keys": {"listingId": {"S": "lst-1"}},
            "OldImage": {
                "listingId": {"S": "lst-1"},
                "title": {"S": "a"},
                "version": {"N": "1"},
                "updatedAt": {"S": "2026-01-01T00:00:00.000+00:00"},
            },
            "NewImage": {
                "listingId": {"S": "lst-1"},
                "title": {"S": "b"},
                "version": {"N": "2"},
                "updatedAt": {"S": "2026-01-02T00:00:00.000+00:00"},
                "updatedBy": {"S": "k1"},
                "sellerId": {"S": "sel-1"},
            },
            "SequenceNumber": "42",
            "ApproximateCreationDateTime": 1767225600,
        },
    }
    entry = entry_for(record, "LISTING")
    assert entry == entry_for(record, "LISTING")
    assert entry["entityId"] == "listing#lst-1"
    assert entry["atSequence"] == "2026-01-02T00:00:00.000+00:00#" + "42".zfill(40)
    assert entry["changes"] == {
        "title": {"old": "a", "new": "b"},
        "sellerId": {"old": None, "new": "sel-1"},
    }
    assert (entry["actor"], entry["version"], entry["sellerId"]) == ("k1", 2, "sel-1")
    _ = raw_key
