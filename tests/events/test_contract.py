"""The change-event contract: events built from real stream records validate."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from graph.events.contract import (
    NotAChangeRecord,
    change_event_schema,
    event_from_kinesis_record,
    event_from_stream_record,
    events_from_kinesis_event,
)
from graph.extensions import TenantExtension
from tests.conftest import Audit, Gateway
from tests.schema.test_mutations import CREATE, STATUS, new_listing

SAMPLES = Path(__file__).parents[1] / "samples"
CUSTOM_UPDATE = """mutation($id: ID!, $v: Int!, $input: UpdateListingInput!) {
  updateListing(id: $id, expectedVersion: $v, input: $input) {
    listing { id version } userErrors { field message code } } }"""


def validator() -> jsonschema.protocols.Validator:
    schema = change_event_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


async def captured_records(audit: Audit) -> list[dict[str, Any]]:
    """Every record the local stream runner reads, in Lambda's shape."""
    events: list[dict[str, Any]] = []
    audit.runner.handler = lambda e: events.append(e) or {"batchItemFailures": []}
    await audit.drain()
    return [record for event in events for record in event["Records"]]


def kicks(gateway: Gateway) -> TenantExtension:
    return gateway.runtime.graph_for(gateway.tenants["kicks"]).extension


async def test_events_from_real_stream_records_validate(
    gateway: Gateway, audit: Audit, ddb: Any
) -> None:
    created = await gateway.gql(
        CREATE,
        {"input": new_listing(custom={"size": "10.5", "purchasePrice": "80.00"})},
        scope="write",
    )
    assert "errors" not in created, created
    listing_id = created["data"]["createListing"]["listing"]["id"]
    response = await gateway.post(
        CUSTOM_UPDATE,
        {"id": listing_id, "v": 1, "input": {"custom": {"purchasePrice": "75.00"}}},
        scope="write",
    )
    assert response.json()["data"]["updateListing"]["userErrors"] == []
    request_id = response.headers["x-request-id"]
    await gateway.gql(STATUS, {"id": listing_id, "status": "RESERVED"}, scope="write")
    table = gateway.tenants["kicks"].tables.listings
    await ddb.delete_item(TableName=table, Key={"listingId": {"S": listing_id}})

    records = [
        r
        for r in await captured_records(audit)
        if r["dynamodb"]["Keys"].get("listingId", {}).get("S") == listing_id
    ]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "MODIFY", "REMOVE"]
    check = validator()
    events = [event_from_stream_record(r, kicks(gateway)) for r in records]
    for event in events:
        check.validate(event)
        datetime.fromisoformat(event["time"])  # format checks need optional packages

    created_e, custom_e, status_e, removed_e = events
    assert [e["event"] for e in events] == ["CREATED", "UPDATED", "UPDATED", "REMOVED"]
    assert [e["version"] for e in events] == [1, 2, 3, 3]
    assert {e["actor"] for e in events[:3]} == {"kicks-test-write"}
    assert {e["tenant"] for e in events} == {"kicks"}
    assert {(e["entity"], e["id"], e["sellerId"]) for e in events} == {
        ("listing", listing_id, "sel-001")
    }
    # Custom fields split by their declared visibility, named as GraphQL names them.
    assert created_e["changes"]["public"]["size"] == {"old": None, "new": "10.5"}
    assert created_e["changes"]["private"]["purchasePrice"]["new"] in {"80", "80.00"}
    assert "purchasePrice" not in json.dumps(created_e["changes"]["public"])
    assert created_e["changes"]["public"]["price"]["new"]["currency"] == "USD"
    assert custom_e["requestId"] == request_id
    assert custom_e["changes"]["public"] == {}
    assert list(custom_e["changes"]["private"]) == ["purchasePrice"]
    assert status_e["changes"] == {
        "public": {"status": {"old": "ACTIVE", "new": "RESERVED"}},
        "private": {},
    }
    assert removed_e["changes"]["public"]["status"] == {"old": "RESERVED", "new": None}
    # The same records through the tables' Kinesis destination give the same events.
    kinesis = {"Records": [as_kinesis(r, i) for i, r in enumerate(records, 1)]}
    for via_stream, via_kinesis in zip(
        events, events_from_kinesis_event(kinesis, kicks(gateway)), strict=True
    ):
        check.validate(via_kinesis)
        assert {**via_kinesis, "sequence": "", "time": ""} == {
            **via_stream,
            "sequence": "",
            "time": "",
        }


def as_kinesis(record: dict[str, Any], n: int) -> dict[str, Any]:
    """A Streams record as DynamoDB's Kinesis destination writes it, in Lambda's shape."""
    data = {k: v for k, v in record["dynamodb"].items() if k != "SequenceNumber"}
    data["ApproximateCreationDateTime"] = int(float(data["ApproximateCreationDateTime"]) * 1000)
    data["ApproximateCreationDateTimePrecision"] = "MILLISECOND"
    payload = {
        "awsRegion": "us-east-1",
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "userIdentity": None,
        "recordFormat": "application/json",
        "tableName": record["eventSourceARN"].split(":table/")[1].split("/")[0],
        "dynamodb": data,
        "eventSource": "aws:dynamodb",
    }
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "0C1D5B2E0F3A",
            "sequenceNumber": f"4959{n:052d}",
            "data": base64.b64encode(json.dumps(payload).encode()).decode(),
            "approximateArrivalTimestamp": 1773342237.5,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:4959{n:052d}",
        "eventName": "aws:kinesis:record",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:111122223333:stream/kicks-changes",
    }


def test_the_sample_lambda_event_validates(gateway: Gateway) -> None:
    sample = json.loads((SAMPLES / "dynamodb-streams.json").read_text())
    check = validator()
    good = [r for r in sample["Records"] if "Keys" in r["dynamodb"]]
    events = [event_from_stream_record(r, kicks(gateway)) for r in good]
    for event in events:
        check.validate(event)
    assert [(e["entity"], e["event"]) for e in events] == [
        ("listing", "CREATED"),
        ("listing", "UPDATED"),
        ("seller", "UPDATED"),
    ]
    keyless = next(r for r in sample["Records"] if "Keys" not in r["dynamodb"])
    with pytest.raises(NotAChangeRecord, match="name neither listingId nor sellerId"):
        event_from_stream_record(keyless, kicks(gateway))


def test_records_of_other_tables_are_refused(gateway: Gateway) -> None:
    record = {"eventID": "1", "eventName": "INSERT", "dynamodb": {"Keys": {"pk": {"S": "x"}}}}
    with pytest.raises(NotAChangeRecord, match="neither listingId nor sellerId"):
        event_from_stream_record(record, kicks(gateway))
    kinesis = {"eventID": "k1", "kinesis": {"data": base64.b64encode(b"{}").decode()}}
    with pytest.raises(NotAChangeRecord, match="eventSource"):
        event_from_kinesis_record(kinesis, kicks(gateway))


def test_an_event_missing_a_field_fails_the_schema() -> None:
    check = validator()
    with pytest.raises(jsonschema.ValidationError, match="'actor' is a required property"):
        check.validate(
            {
                "schemaVersion": 1,
                "eventId": "e",
                "tenant": "kicks",
                "entity": "listing",
                "id": "lst-1",
                "event": "CREATED",
                "version": 1,
                "requestId": None,
                "time": "2026-12-01T00:00:00+00:00",
                "sequence": "1",
                "changes": {"public": {}, "private": {}},
            }
        )
