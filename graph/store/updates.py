"""Conditional updates, stamped with actor and request id (used by the listings and
sellers repositories).

Every write increments `version` and is conditional, so concurrent writers cannot
overwrite each other silently: the loser gets ConditionFailed with the current item.

Every write also moves `updatedAt` strictly forward: the audit trail orders an item's
changes by it, so a writer whose clock reading is not later than the item's last
change retries once with a stamp just after it (invisible to the caller).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from graph.store.calls import Door
from graph.store.items import Item, from_wire, value_to_wire

STAMP_RETRIES = 3
FORWARD = "(attribute_not_exists(#updatedAt) OR #updatedAt < :at)"


@dataclass(frozen=True)
class Stamp:
    """Who wrote, in which request, when (ISO 8601, UTC, milliseconds)."""

    actor: str
    request_id: str
    at: str
    #: The client's own request id, kept beside the gateway's ("" when none was sent:
    #: written every time, so no write inherits an earlier write's).
    correlation_id: str = ""

    def after(self, previous: str) -> Stamp:
        """This stamp moved to just after `previous` if it is not later already."""
        if self.at > previous:
            return self
        later = datetime.fromisoformat(previous) + timedelta(milliseconds=1)
        return replace(self, at=later.isoformat(timespec="milliseconds"))


def stale_stamp(item: Item | None, stamp: Stamp) -> bool:
    return item is not None and str(item.get("updatedAt", "")) >= stamp.at


class _Drop:
    """Removes a top-level attribute in an update (`sets["shop_size"] = DROP`)."""


DROP = _Drop()


class Whole(dict[str, Any]):
    """A `custom` mapping to write as one map rather than field by field."""


def update_expression(
    sets: Mapping[str, Any], stamp: Stamp, *, joined_at: bool = False
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """SET the attributes, the stamp, and version + 1 (starting at 0 when missing).

    A `custom` mapping is applied field by field (`custom.size = :v`), so a partial
    update keeps the other custom fields; a custom field set to None is removed.
    """
    names: dict[str, str] = {"#version": "version", "#updatedAt": "updatedAt"}
    values: dict[str, Any] = {
        ":one": {"N": "1"},
        ":zero": {"N": "0"},
        ":at": {"S": stamp.at},
    }
    parts = ["#version = if_not_exists(#version, :zero) + :one", "#updatedAt = :at"]
    removes: list[str] = []
    flat: dict[tuple[str, ...], Any] = {}
    stamped = {"updatedBy": stamp.actor, "requestId": stamp.request_id}
    stamped["correlationId"] = stamp.correlation_id
    for attr, value in {**sets, **stamped}.items():
        if attr == "custom" and isinstance(value, Mapping) and not isinstance(value, Whole):
            flat.update({("custom", name): v for name, v in value.items()})
        else:
            flat[(attr,)] = value
    for n, (path, value) in enumerate(flat.items()):
        segments = []
        for m, segment in enumerate(path):
            names[f"#a{n}_{m}"] = segment
            segments.append(f"#a{n}_{m}")
        target = ".".join(segments)
        if value is DROP or (value is None and len(path) > 1):
            removes.append(target)
            continue
        values[f":a{n}"] = value_to_wire(value)
        parts.append(f"{target} = :a{n}")
    if joined_at:
        names["#joined"] = "joinedAt"
        parts.append("#joined = if_not_exists(#joined, :at)")
    expression = "SET " + ", ".join(parts)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    return expression, names, values


async def conditional_update(
    door: Door,
    table: str,
    key: Mapping[str, str],
    expression: str,
    condition: str,
    names: dict[str, str],
    values: dict[str, Any],
) -> Item:
    """UpdateItem under a condition; the new item, or ConditionFailed(current item)."""
    response = await door.call(
        "UpdateItem",
        TableName=table,
        Key={name: {"S": value} for name, value in key.items()},
        UpdateExpression=expression,
        ConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    return from_wire(response["Attributes"])
