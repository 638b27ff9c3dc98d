"""Stream record -> history entry. Pure: the same record always gives the same entry.

A record is a DynamoDB Streams record as Lambda delivers it (`eventName`,
`dynamodb.Keys/NewImage/OldImage/SequenceNumber/ApproximateCreationDateTime`,
`eventSourceARN`), images in DynamoDB JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graph.domain import STREAM_EVENTS as EVENTS
from graph.store import Item, from_wire

#: Bookkeeping attributes: kept in the image, left out of the change list.
BOOKKEEPING = frozenset(
    {
        "updatedAt",
        "updatedBy",
        "requestId",
        "correlationId",
        "version",
        "statusShard",
        "createFingerprint",
        "priceAmount",
    }
)
#: The shop's index keys of indexed custom fields (graph/store/shop_keys.py).
SHOP_KEY_PREFIX = "shop_"
SEQUENCE_WIDTH = 40


class UnknownSource(ValueError):
    """The record comes from a table that is not a tenant's listings or sellers table."""


def source_table(record: dict[str, Any]) -> str:
    """The table name in `arn:aws:dynamodb:<region>:<acct>:table/<name>/stream/<ts>`."""
    arn = record.get("eventSourceARN", "")
    parts = arn.split(":table/", 1)
    if len(parts) != 2:
        raise UnknownSource(f"record {record.get('eventID')} has no table in its source ARN")
    return str(parts[1].split("/stream/", 1)[0])


def _at(record: dict[str, Any], new: Item, old: Item) -> str:
    stamped = new.get("updatedAt")
    if stamped and stamped != old.get("updatedAt"):
        return str(stamped)
    # A change that did not stamp the item (or a delete): the stream's own clock.
    seconds = float(record["dynamodb"].get("ApproximateCreationDateTime", 0))
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def _changes(new: Item, old: Item) -> dict[str, dict[str, Any]]:
    changed: dict[str, dict[str, Any]] = {}
    for name in sorted(set(new) | set(old)):
        if name in BOOKKEEPING or name.startswith(SHOP_KEY_PREFIX):
            continue
        before, after = old.get(name), new.get(name)
        if before != after:
            changed[name] = {"old": before, "new": after}
    return changed


def entry_for(record: dict[str, Any], entity_type: str) -> Item:
    """The history entry for one record of the listings (`LISTING`) or sellers table."""
    data = record["dynamodb"]
    new = from_wire(data.get("NewImage", {}))
    old = from_wire(data.get("OldImage", {}))
    keys = from_wire(data["Keys"])
    key_name = "listingId" if entity_type == "LISTING" else "sellerId"
    entity_key = str(keys[key_name])
    image = new or old
    sequence = str(data["SequenceNumber"]).zfill(SEQUENCE_WIDTH)
    at = _at(record, new, old)
    entry: Item = {
        "entityId": f"{entity_type.lower()}#{entity_key}",
        "atSequence": f"{at}#{sequence}",
        "at": at,
        "entityType": entity_type,
        "entityKey": entity_key,
        "event": EVENTS[record["eventName"]],
        "actor": str(new.get("updatedBy") or old.get("updatedBy") or "system"),
        "requestId": str(new.get("requestId") or ""),
        "correlationId": str(new.get("correlationId") or ""),
        "changes": _changes(new, old),
        "image": new if new else None,
        "sequence": sequence,
    }
    if "version" in image:
        entry["version"] = image["version"]
    seller = image.get("sellerId")
    if seller:
        entry["sellerId"] = str(seller)
    return entry
