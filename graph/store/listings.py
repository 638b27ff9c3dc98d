"""The listings table: listings by id (batched), pages by product or seller, and the
conditional writes of the listing mutations."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from graph.conditions import Condition
from graph.store.calls import Door
from graph.store.cursors import CursorCodec
from graph.store.errors import ConditionFailed
from graph.store.indexes import PRICE_KEY, IndexedField
from graph.store.items import Item, to_wire
from graph.store.keys import KeyReader
from graph.store.pages import Page, PageQuery, query_page
from graph.store.shop_keys import price_amount, shop_attributes
from graph.store.tables import LISTINGS
from graph.store.updates import (
    DROP,
    FORWARD,
    STAMP_RETRIES,
    Stamp,
    Whole,
    conditional_update,
    stale_stamp,
    update_expression,
)


class Listings:
    def __init__(
        self,
        door: Door,
        table: str,
        cursors: CursorCodec,
        keys: KeyReader,
        indexed: Sequence[IndexedField] = (),
    ) -> None:
        self._door = door
        self._table = table
        self._cursors = cursors
        self._keys = keys
        self._indexed = tuple(indexed)

    # -- reads ---------------------------------------------------------------------

    async def get(
        self, listing_id: str, *, attributes: Collection[str] | None = None
    ) -> Item | None:
        return await self._keys.get(listing_id, attributes=attributes)

    async def get_many(
        self, ids: Sequence[str], *, attributes: Collection[str] | None = None
    ) -> dict[str, Item]:
        return await self._keys.get_many(ids, attributes=attributes)

    async def get_consistent(self, listing_id: str) -> Item | None:
        """A strongly consistent read, for a write that depends on the current item."""
        return await self._keys.get_consistent(listing_id)

    async def by_seller(
        self,
        seller_id: str,
        *,
        first: int,
        after: str | None,
        status: str | None,
        where: Sequence[Condition] = (),
        attributes: Collection[str] | None = None,
    ) -> Page:
        return await self._page("bySeller", seller_id, first, after, status, where, attributes)

    async def by_product(
        self,
        product_id: str,
        *,
        first: int,
        after: str | None,
        status: str | None,
        where: Sequence[Condition] = (),
        attributes: Collection[str] | None = None,
    ) -> Page:
        return await self._page("byProduct", product_id, first, after, status, where, attributes)

    async def _page(
        self,
        index_name: str,
        partition: str,
        first: int,
        after: str | None,
        status: str | None,
        where: Sequence[Condition],
        attributes: Collection[str] | None,
    ) -> Page:
        conditions = [Condition(("status",), "=", status)] if status else []
        conditions.extend(where)
        query = PageQuery(
            table=self._table,
            index=LISTINGS.index(index_name),
            table_key=LISTINGS.key,
            partition=partition,
            fingerprint=f"listings/{index_name}/{partition}/{_digest(conditions)}",
            filters=conditions,
            attributes=attributes,
        )
        return await query_page(self._door, self._cursors, query, first=first, after=after)

    # -- writes --------------------------------------------------------------------

    async def create(self, item: Item, stamp: Stamp) -> Item:
        """Put a new listing; ConditionFailed(existing item) if the id is taken.

        A single-item write: creating listings never contends on a shared item (a
        seller importing thousands of listings at once stays fast).
        """
        keys = shop_attributes(item, self._indexed)
        full = {
            **item,
            **{name: value for name, value in keys.items() if value is not None},
            "createdAt": stamp.at,
            "updatedAt": stamp.at,
            "updatedBy": stamp.actor,
            "requestId": stamp.request_id,
            "correlationId": stamp.correlation_id,
            "version": 1,
        }
        await self._door.call(
            "PutItem",
            TableName=self._table,
            Item=to_wire(full),
            ConditionExpression="attribute_not_exists(listingId)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return full

    async def update(
        self,
        listing_id: str,
        changes: Mapping[str, Any],
        stamp: Stamp,
        *,
        expected_version: int,
        expected_status: str | None = None,
        current: Item | None = None,
    ) -> Item:
        """Apply `changes` if the listing is at `expected_version` (and status).
        `current`: the item as the caller just read it, if it did (saves a read)."""
        sets = await self._with_shop_keys(listing_id, dict(changes), current)
        for _ in range(STAMP_RETRIES):
            expression, names, values = update_expression(sets, stamp)
            condition = f"attribute_exists(listingId) AND #version = :expected AND {FORWARD}"
            values[":expected"] = {"N": str(expected_version)}
            if expected_status is not None:
                names["#status"] = "status"
                values[":expectedStatus"] = {"S": expected_status}
                condition += " AND #status = :expectedStatus"
            try:
                return await conditional_update(
                    self._door,
                    self._table,
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
                    and stale_stamp(current, stamp)
                ):
                    stamp = stamp.after(current["updatedAt"])
                    continue
                raise
        raise ConditionFailed(None)

    async def _with_shop_keys(
        self, listing_id: str, sets: dict[str, Any], current: Item | None
    ) -> dict[str, Any]:
        """`sets` plus the shop key attributes the change moves. A change to the status
        or an indexed field needs the other one: then the current item is read (the
        update's version condition makes sure it is the one changed)."""
        if "price" in sets:
            amount = price_amount(sets)
            sets[PRICE_KEY] = DROP if amount is None else amount
        custom = sets.get("custom")
        moved = isinstance(custom, Mapping) and any(f.name in custom for f in self._indexed)
        if "status" not in sets and not moved:
            return sets
        if (
            current is None
            and self._indexed
            and not ("status" in sets and isinstance(custom, Whole))
        ):
            current = await self.get_consistent(listing_id)
            if current is None and "status" not in sets:
                return sets  # not found: the update's condition answers that
        merged: dict[str, Any] = {**(current or {}), **sets, "listingId": listing_id}
        if isinstance(custom, Mapping) and not isinstance(custom, Whole):
            merged["custom"] = {**((current or {}).get("custom") or {}), **custom}
        keys = shop_attributes(merged, self._indexed)
        keys.pop(PRICE_KEY)
        return {**sets, **{name: DROP if value is None else value for name, value in keys.items()}}


def _digest(conditions: Sequence[Condition]) -> str:
    """The filter's part of a page's fingerprint: a cursor only continues the same
    filter. (Spelled as before Conditions were objects, so issued cursors stay valid.)"""
    legacy = [(c.path, c.operator + ("?" if c.or_missing else ""), c.value) for c in conditions]
    return hashlib.sha256(repr(sorted(map(repr, legacy))).encode()).hexdigest()[:16]
