"""Conditional writes to listings and sellers, stamped with actor and request id.

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

from graph.store.base import ConditionFailed, StoreBase, valid_key
from graph.store.items import Item, from_wire, to_wire, value_to_wire
from graph.store.tables import status_shard

_STAMP_RETRIES = 3
_FORWARD = "(attribute_not_exists(#updatedAt) OR #updatedAt < :at)"


@dataclass(frozen=True)
class Stamp:
    """Who wrote, in which request, when (ISO 8601, UTC, milliseconds)."""

    actor: str
    request_id: str
    at: str

    def after(self, previous: str) -> Stamp:
        """This stamp moved to just after `previous` if it is not later already."""
        if self.at > previous:
            return self
        later = datetime.fromisoformat(previous) + timedelta(milliseconds=1)
        return replace(self, at=later.isoformat(timespec="milliseconds"))


def _stale_stamp(item: Item | None, stamp: Stamp) -> bool:
    return item is not None and str(item.get("updatedAt", "")) >= stamp.at


class _Whole(dict[str, Any]):
    """A `custom` mapping to write as one map rather than field by field."""


def _update(
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
    for attr, value in {**sets, "updatedBy": stamp.actor, "requestId": stamp.request_id}.items():
        if attr == "custom" and isinstance(value, Mapping) and not isinstance(value, _Whole):
            flat.update({("custom", name): v for name, v in value.items()})
        else:
            flat[(attr,)] = value
    for n, (path, value) in enumerate(flat.items()):
        segments = []
        for m, segment in enumerate(path):
            names[f"#a{n}_{m}"] = segment
            segments.append(f"#a{n}_{m}")
        target = ".".join(segments)
        if value is None and len(path) > 1:
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


class Writes(StoreBase):
    async def create_listing(self, item: Item, stamp: Stamp) -> Item:
        """Put a new listing; ConditionFailed(existing item) if the id is taken.

        A single-item write: creating listings never contends on a shared item (a
        seller importing thousands of listings at once stays fast).
        """
        full = {
            **item,
            "statusShard": status_shard(item["status"], item["listingId"]),
            "createdAt": stamp.at,
            "updatedAt": stamp.at,
            "updatedBy": stamp.actor,
            "requestId": stamp.request_id,
            "version": 1,
        }
        await self._call(
            "PutItem",
            TableName=self.tables.listings,
            Item=to_wire(full),
            ConditionExpression="attribute_not_exists(listingId)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return full

    async def update_listing(
        self,
        listing_id: str,
        changes: Mapping[str, Any],
        stamp: Stamp,
        *,
        expected_version: int,
        expected_status: str | None = None,
    ) -> Item:
        """Apply `changes` if the listing is at `expected_version` (and status)."""
        sets = dict(changes)
        if "status" in sets:
            sets["statusShard"] = status_shard(sets["status"], listing_id)
        for _ in range(_STAMP_RETRIES):
            expression, names, values = _update(sets, stamp)
            condition = f"attribute_exists(listingId) AND #version = :expected AND {_FORWARD}"
            values[":expected"] = {"N": str(expected_version)}
            if expected_status is not None:
                names["#status"] = "status"
                values[":expectedStatus"] = {"S": expected_status}
                condition += " AND #status = :expectedStatus"
            try:
                return await self._conditional_update(
                    self.tables.listings,
                    {"listingId": listing_id},
                    expression,
                    condition,
                    names,
                    values,
                )
            except ConditionFailed as failed:
                current = failed.item
                if (
                    current is not None
                    and int(current["version"]) == expected_version
                    and expected_status in (None, current.get("status"))
                    and _stale_stamp(current, stamp)
                ):
                    stamp = stamp.after(current["updatedAt"])
                    continue
                raise
        raise ConditionFailed(None)

    async def upsert_seller(
        self,
        seller_id: str,
        fields: Mapping[str, Any],
        stamp: Stamp,
        *,
        expected_version: int | None,
    ) -> Item:
        """Create or update a seller; with `expected_version`, only from that version
        (0 means: only if it does not exist yet). A `custom` mapping in `fields` is
        merged field by field into the seller's custom map (created when missing)."""
        custom = fields.get("custom")
        # Field by field needs the map to exist; a new seller gets it whole.
        whole_map = expected_version == 0
        for _ in range(_STAMP_RETRIES + 1):
            sets = dict(fields)
            if custom is not None and whole_map:
                sets["custom"] = _Whole({k: v for k, v in custom.items() if v is not None})
            expression, names, values = _update(sets, stamp, joined_at=True)
            condition = _FORWARD
            if expected_version == 0:
                condition = "attribute_not_exists(sellerId)"
            elif expected_version is not None:
                condition += " AND #version = :expected"
                values[":expected"] = {"N": str(expected_version)}
            if custom is not None and not whole_map:
                names["#custom"] = "custom"
                condition += " AND attribute_exists(#custom)"
            try:
                return await self._conditional_update(
                    self.tables.sellers,
                    {"sellerId": seller_id},
                    expression,
                    condition,
                    names,
                    values,
                )
            except ConditionFailed as failed:
                current = failed.item
                if custom is not None and not whole_map and (current or {}).get("custom") is None:
                    whole_map = True  # a new seller, or one without a custom map yet
                    if current is not None:
                        custom = {**current.get("custom", {}), **custom}
                    continue
                same_version = expected_version is None or (
                    current is not None and int(current.get("version", 0)) == expected_version
                )
                if expected_version != 0 and same_version and _stale_stamp(current, stamp):
                    stamp = stamp.after(current["updatedAt"])  # type: ignore[index]
                    continue
                raise
        raise ConditionFailed(None)

    async def _conditional_update(
        self,
        table: str,
        key: Mapping[str, str],
        expression: str,
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
    ) -> Item:
        """UpdateItem under a condition; the new item, or ConditionFailed(current item)."""
        response = await self._call(
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

    async def get_listing_consistent(self, listing_id: str) -> Item | None:
        if not valid_key(listing_id):
            return None
        response = await self._call(
            "GetItem",
            TableName=self.tables.listings,
            Key={"listingId": {"S": listing_id}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return from_wire(item) if item else None
