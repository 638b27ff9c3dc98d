"""The audit trail: stream records -> history; read per listing, seller, actor; asOf."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph.audit.entries import entry_for, source_table
from graph.store import Shard, StreamReader
from tests.conftest import Audit, Gateway, make_audit, raw_key
from tests.schema.test_mutations import CREATE, STATUS, UPDATE, new_listing

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


async def test_an_empty_batch_is_answered_with_no_failures(audit: Audit) -> None:
    """Powertools' batch processor refuses an event without records; the consumer
    answers it itself, the way a consumer that died before its first record would."""
    for event in ({"Records": []}, {}):
        response = await asyncio.to_thread(audit.consumer.handle, event)
        assert response == {"batchItemFailures": []}
    assert (audit.consumer.written, audit.consumer.duplicates) == (0, 0)


async def test_the_consumer_leaves_request_checks_to_dynamodb(
    gateway: Gateway, audit: Audit, settings: Any
) -> None:
    """The consumer's client skips botocore's client-side validation of its puts; a put
    DynamoDB refuses still fails alone, as a reported record, and the rest are written."""
    from botocore.exceptions import ClientError, ParamValidationError
    from botocore.validate import ParamValidationDecorator

    from graph.store import open_dynamodb

    await create(gateway)
    events: list[dict[str, Any]] = []
    audit.runner.handler = lambda e: events.append(e) or {"batchItemFailures": []}
    await audit.drain()
    good = events[0]["Records"][0]
    # An attribute with an empty name: botocore's model has no rule against it, DynamoDB does.
    refused = {**good, "dynamodb": {**good["dynamodb"], "SequenceNumber": "997"}}
    refused["dynamodb"]["NewImage"] = {**good["dynamodb"]["NewImage"], "": {"S": "x"}}
    response = await asyncio.to_thread(audit.consumer.handle, {"Records": [good, refused]})
    assert response == {"batchItemFailures": [{"itemIdentifier": "997"}]}
    assert audit.consumer.written == 1
    # botocore wraps a validating client's serializer; the consumer's is the bare one
    assert not isinstance(audit.consumer._client._serializer, ParamValidationDecorator)
    # What the setting changes: a request botocore would refuse reaches DynamoDB instead.
    bad = {"TableName": "no-such-table", "Item": {"id": {"S": 5}}}
    async with open_dynamodb(settings) as checked:
        with pytest.raises(ParamValidationError):
            await checked.put_item(**bad)
    async with open_dynamodb(settings, lean=True) as unchecked:
        with pytest.raises(ClientError):
            await unchecked.put_item(**bad)


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


class LoggedReader(StreamReader):
    """The runner's real reader, logging when each GetRecords starts and what it gave."""

    def __init__(self, ddb: Any, streams: Any, log: list[tuple[str, Any]]) -> None:
        super().__init__(ddb, streams)
        self.log = log

    async def shards(self, stream_arn: str) -> list[Shard]:
        self.log.append(("list", stream_arn))
        return await super().shards(stream_arn)

    async def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        self.log.append(("read", None))
        records, next_iterator = await super().read(iterator, limit)
        self.log.append(("got", [r["dynamodb"]["SequenceNumber"] for r in records]))
        return records, next_iterator


def listings_sequences(event: dict[str, Any]) -> list[str]:
    return [
        r["dynamodb"]["SequenceNumber"]
        for r in event["Records"]
        if source_table(r).endswith("-listings")
    ]


async def logged(audit: Audit, ddb: Any, streams: Any) -> list[tuple[str, Any]]:
    """Drain what is pending, then log the runner's reads and hand-overs from now on."""
    await audit.drain()
    log: list[tuple[str, Any]] = []
    audit.runner.reader = LoggedReader(ddb, streams, log)
    real = audit.runner.handler

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        log.append(("handle", listings_sequences(event)))
        return real(event)  # type: ignore[no-any-return]

    audit.runner.handler = handler
    audit.consumer.written = audit.consumer.duplicates = 0  # count from here on
    return log


async def test_shards_are_polled_together_and_read_ahead(
    gateway: Gateway, audit: Audit, ddb: Any, streams: Any
) -> None:
    log = await logged(audit, ddb, streams)
    shards = len(await audit.runner._shards())
    await create(gateway)  # a record on a listings shard
    await gateway.gql(
        'mutation { upsertSeller(input: {id: "sel-003", displayName: "Again"}) { seller { id } } }',
        scope="admin",
    )  # and one on a sellers shard
    assert await audit.runner.poll_once() == 2
    kinds = [kind for kind, _ in log if kind != "list"]
    first_handle = kinds.index("handle")
    # Every shard's GetRecords was under way before either batch was handed over, and a
    # read-ahead of the next batch too (one per shard that had records, no more).
    assert kinds[:shards] == ["read"] * shards
    assert shards < kinds[:first_handle].count("read") <= shards + 2
    assert kinds.count("handle") == 2
    assert kinds.count("read") == shards + 2
    assert audit.runner.reading_ahead == 2
    # The read-ahead batches were empty: the next poll reads afresh, then all is idle.
    assert await audit.drain() == 0
    assert audit.runner.reading_ahead == 0


def reads_finished(log: list[tuple[str, Any]], seconds: float = 60.0) -> None:
    """Block (a handler runs in a worker thread) until every GetRecords the runner
    started has answered; the event loop completes them meanwhile."""
    deadline = time.monotonic() + seconds
    while [kind for kind, _ in log].count("read") > [kind for kind, _ in log].count("got"):
        assert time.monotonic() < deadline, "a stream read never answered"
        time.sleep(0.01)


async def test_partial_failure_drops_the_read_ahead_and_rereads(
    gateway: Gateway, audit: Audit, ddb: Any, streams: Any
) -> None:
    log = await logged(audit, ddb, streams)
    audit.runner.batch_size = 2
    for n in range(5):
        await create(gateway, title=f"Listing {n}")
    handler = audit.runner.handler
    failed_once: list[str] = []

    def fail_second_once(event: dict[str, Any]) -> dict[str, Any]:
        response = handler(event)
        ours = listings_sequences(event)
        if not failed_once and len(ours) == 2:
            failed_once.append(ours[1])
            # The next batch is being read ahead meanwhile; let that read finish before
            # answering, so what the test shows (a batch read ahead, then dropped) does
            # not depend on whether DynamoDB or this thread is quicker on a busy machine.
            reads_finished(log)
            return {"batchItemFailures": [{"itemIdentifier": ours[1]}]}
        return response

    audit.runner.handler = fail_second_once
    assert await audit.drain() == 5
    s = sorted({seq for kind, seqs in log if kind == "got" for seq in seqs}, key=int)
    assert len(s) == 5
    handed = [seqs for kind, seqs in log if kind == "handle" and seqs]
    # The failed record is delivered again, first in the next batch; the batch that was
    # read ahead ([s3, s4]) was read but dropped, and the shard re-read after s1.
    assert failed_once == [s[1]]
    assert handed == [[s[0], s[1]], [s[1], s[2]], [s[3], s[4]]]
    assert ("got", [s[2], s[3]]) in log
    assert audit.consumer.duplicates == 1  # the consumer had written s2 the first time
    assert audit.runner.reading_ahead == 0


async def test_batches_in_order_nothing_twice_nothing_skipped(
    gateway: Gateway, audit: Audit, ddb: Any, streams: Any
) -> None:
    log = await logged(audit, ddb, streams)
    audit.runner.batch_size = 3
    for n in range(7):
        await create(gateway, title=f"Listing {n}")
    assert await audit.drain() == 7
    handed = [seq for kind, seqs in log if kind == "handle" for seq in seqs]
    got = [seq for kind, seqs in log if kind == "got" for seq in seqs]
    assert len(handed) == 7
    assert handed == sorted(set(handed), key=int) == sorted(set(got), key=int)
    assert [len(seqs) for kind, seqs in log if kind == "handle" and seqs] == [3, 3, 1]
    # Shards are listed at the first poll and again after the first idle one, not at
    # every poll while batches keep coming.
    assert [kind for kind, _ in log].count("list") == 2 * len(audit.runner.tables)
    assert audit.consumer.written == 7
    assert audit.consumer.duplicates == 0


async def test_stopping_leaves_nothing_half_done(
    gateway: Gateway, audit: Audit, ddb: Any, streams: Any
) -> None:
    log = await logged(audit, ddb, streams)
    audit.runner.batch_size = 2
    for n in range(5):
        await create(gateway, title=f"Listing {n}")
    handler = audit.runner.handler
    stop: list[bool] = []

    def stop_after_first(event: dict[str, Any]) -> dict[str, Any]:
        stop.append(True)
        return handler(event)  # type: ignore[no-any-return]

    audit.runner.handler = stop_after_first
    await audit.runner.run_forever(interval=0.05, stop=lambda: bool(stop))
    # The poll in progress finished its batch; what was read ahead was dropped.
    assert audit.runner.reading_ahead == 0
    assert audit.consumer.written == 2
    assert await audit.drain() == 3
    handed = [seq for kind, seqs in log if kind == "handle" for seq in seqs]
    assert len(handed) == len(set(handed)) == 5
    assert handed == sorted(handed, key=int)
    assert audit.consumer.duplicates == 0


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
