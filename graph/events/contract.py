"""The change-event contract: DynamoDB change records -> versioned business events.

Other business flows read a tenant's table changes from its Kinesis stream (or the
tables' DynamoDB Streams). This module turns one such record into the event that
`schemas/change-event.v1.json` describes; docs/events.md documents the mapping.

    event_from_stream_record(record, extension)     a DynamoDB Streams record (Lambda's
                                                    shape, or GetRecords plus the source ARN)
    event_from_kinesis_record(record, extension)    a Kinesis record from the tables'
                                                    Kinesis destination (Lambda's shape)
    events_from_kinesis_event(event, extension)     every record of a Kinesis Lambda event

The diff, actor, request id and time come from the audit trail's `entry_for`, so the
history and the change feed always agree on what a change was.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from strawberry.utils.str_converters import to_camel_case

from graph.audit.entries import entry_for
from graph.extensions import FieldSpec, TenantExtension

SCHEMA_VERSION = 1
SCHEMA_FILE = "change-event.v1.json"
#: Attributes a read key never sees: raw data from integrating platforms.
PRIVATE_ATTRIBUTES = frozenset({"foreign"})
_ENTITIES = {"listingId": "listing", "sellerId": "seller"}


class NotAChangeRecord(ValueError):
    """The record is not a DynamoDB change record of a listings or sellers table."""


@cache
def change_event_schema() -> dict[str, Any]:
    """The JSON Schema of version 1 of the event (shipped in the package)."""
    text = resources.files("graph.events").joinpath("schemas", SCHEMA_FILE).read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def entity_of(record: Mapping[str, Any]) -> str:
    """`listing` or `seller`, from the record's key attribute."""
    keys = record.get("dynamodb", {}).get("Keys", {})
    for attribute, entity in _ENTITIES.items():
        if attribute in keys:
            return entity
    raise NotAChangeRecord(
        f"record {record.get('eventID')!r}: its Keys {sorted(keys)} name neither listingId "
        "nor sellerId; only listings and sellers tables carry change events"
    )


def plain(value: Any, spec: FieldSpec | None = None) -> Any:
    """A stored value as JSON: decimals as exact strings (integers for Int fields), JSON
    fields parsed, sets as sorted lists."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        if spec is not None and spec.type == "Int":
            return int(value)
        return str(value)
    if spec is not None and spec.type == "JSON" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, Mapping):
        subs = spec.fields if spec is not None else {}
        return {str(k): plain(v, subs.get(str(k))) for k, v in value.items()}
    if isinstance(value, list | tuple):
        item = spec.items if spec is not None else None
        return [plain(v, item) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def split_changes(
    changes: Mapping[str, Mapping[str, Any]], declared: Mapping[str, FieldSpec]
) -> dict[str, dict[str, dict[str, Any]]]:
    """The audit diff by visibility; the `custom` map is diffed per declared field and
    named as GraphQL names it (`purchase_price` -> `purchasePrice`)."""
    public: dict[str, dict[str, Any]] = {}
    private: dict[str, dict[str, Any]] = {}
    for name, change in changes.items():
        if name == "custom":
            old = change.get("old") or {}
            new = change.get("new") or {}
            for field in sorted(set(old) | set(new)):
                before, after = old.get(field), new.get(field)
                if before == after:
                    continue
                spec = declared.get(field)
                target = public if spec is not None and spec.visibility == "public" else private
                target[to_camel_case(field)] = {
                    "old": plain(before, spec),
                    "new": plain(after, spec),
                }
            continue
        target = private if name in PRIVATE_ATTRIBUTES else public
        target[name] = {"old": plain(change.get("old")), "new": plain(change.get("new"))}
    return {"public": public, "private": private}


def event_from_stream_record(
    record: Mapping[str, Any], extension: TenantExtension
) -> dict[str, Any]:
    """The version-1 change event for one DynamoDB Streams record of `extension`'s
    tenant (a record as Lambda delivers it, images in DynamoDB JSON)."""
    entity = entity_of(record)
    entry = entry_for(dict(record), entity.upper())
    declared = extension.fields(entity, private=True)
    image = entry["image"] or _old_image(entry)
    event: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "eventId": str(record.get("eventID") or entry["sequence"].lstrip("0") or "0"),
        "tenant": extension.tenant_id,
        "entity": entity,
        "id": entry["entityKey"],
        "event": entry["event"],
        "version": int(entry["version"]) if "version" in entry else None,
        "actor": entry["actor"],
        "requestId": entry["requestId"] or None,
        "time": entry["at"],
        "sequence": entry["sequence"].lstrip("0") or "0",
        "changes": split_changes(entry["changes"], declared),
    }
    for routing in ("sellerId", "productId"):
        if entity == "listing" and image.get(routing):
            event[routing] = str(image[routing])
    return event


def _old_image(entry: Mapping[str, Any]) -> dict[str, Any]:
    # A REMOVE carries no new image; its routing keys are in the diff's old values.
    return {name: change.get("old") for name, change in entry["changes"].items()}


def stream_record_from_kinesis(record: Mapping[str, Any]) -> dict[str, Any]:
    """A Kinesis record of a table's Kinesis destination, as a Streams-shaped record.

    The payload (base64 `kinesis.data`) is DynamoDB's change record with `tableName`,
    without a sequence number and with the creation time in milliseconds (or
    microseconds, per `ApproximateCreationDateTimePrecision`); the Kinesis sequence
    number orders records per partition key (the item's key), as the stream's does."""
    try:
        payload = json.loads(base64.b64decode(record["kinesis"]["data"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise NotAChangeRecord(
            f"Kinesis record {record.get('eventID')!r} carries no DynamoDB change record in "
            f"kinesis.data (base64 JSON): {exc}"
        ) from exc
    if payload.get("eventSource") != "aws:dynamodb":
        raise NotAChangeRecord(
            f"Kinesis record {record.get('eventID')!r}: eventSource is "
            f"{payload.get('eventSource')!r}, not 'aws:dynamodb'"
        )
    data = dict(payload["dynamodb"])
    created = float(data.get("ApproximateCreationDateTime", 0))
    divisor = (
        1_000_000 if data.get("ApproximateCreationDateTimePrecision") == "MICROSECOND" else 1000
    )
    data["ApproximateCreationDateTime"] = created / divisor
    data["SequenceNumber"] = str(record["kinesis"]["sequenceNumber"])
    return {
        "eventID": payload.get("eventID"),
        "eventName": payload["eventName"],
        "eventSource": "aws:dynamodb",
        "awsRegion": payload.get("awsRegion"),
        "dynamodb": data,
        "tableName": payload.get("tableName"),
    }


def event_from_kinesis_record(
    record: Mapping[str, Any], extension: TenantExtension
) -> dict[str, Any]:
    """The version-1 change event for one Kinesis record (Lambda's Kinesis event shape)."""
    return event_from_stream_record(stream_record_from_kinesis(record), extension)


def events_from_kinesis_event(
    event: Mapping[str, Any], extension: TenantExtension
) -> list[dict[str, Any]]:
    """Every change event of a Kinesis Lambda event, in order."""
    return [event_from_kinesis_record(r, extension) for r in event.get("Records", [])]
