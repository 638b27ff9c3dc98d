"""The sellers table: sellers by id (batched) and the conditional upsert of
`upsertSeller`."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from graph.store.calls import Door
from graph.store.errors import ConditionFailed
from graph.store.items import Item
from graph.store.keys import KeyReader
from graph.store.updates import (
    FORWARD,
    STAMP_RETRIES,
    Stamp,
    Whole,
    conditional_update,
    stale_stamp,
    update_expression,
)


class Sellers:
    def __init__(self, door: Door, table: str, keys: KeyReader) -> None:
        self._door = door
        self._table = table
        self._keys = keys

    async def get(
        self, seller_id: str, *, attributes: Collection[str] | None = None
    ) -> Item | None:
        return await self._keys.get(seller_id, attributes=attributes)

    async def get_many(
        self, ids: Sequence[str], *, attributes: Collection[str] | None = None
    ) -> dict[str, Item]:
        return await self._keys.get_many(ids, attributes=attributes)

    async def upsert(
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
        for _ in range(STAMP_RETRIES + 1):
            sets = dict(fields)
            if custom is not None and whole_map:
                sets["custom"] = Whole({k: v for k, v in custom.items() if v is not None})
            expression, names, values = update_expression(sets, stamp, joined_at=True)
            condition = FORWARD
            if expected_version == 0:
                condition = "attribute_not_exists(sellerId)"
            elif expected_version is not None:
                condition += " AND #version = :expected"
                values[":expected"] = {"N": str(expected_version)}
            if custom is not None and not whole_map:
                names["#custom"] = "custom"
                condition += " AND attribute_exists(#custom)"
            try:
                return await conditional_update(
                    self._door,
                    self._table,
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
                if expected_version != 0 and same_version and stale_stamp(current, stamp):
                    stamp = stamp.after(current["updatedAt"])  # type: ignore[index]
                    continue
                raise
        raise ConditionFailed(None)
