"""Reads: listings and sellers by key (batched), listing pages of a GSI."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

from graph.bounds import MAX_ITEMS
from graph.errors import Unavailable
from graph.store.base import (
    Condition,
    Page,
    StoreBase,
    _backoff,
    valid_key,
)
from graph.store.items import Item, from_wire
from graph.store.tables import LISTINGS, SELLERS, TableSpec


class Reads(StoreBase):
    # -- reads by key --------------------------------------------------------------

    async def get_listings(self, ids: Sequence[str]) -> dict[str, Item]:
        return await self._batch_get(LISTINGS, self.tables.listings, ids)

    async def get_sellers(self, ids: Sequence[str]) -> dict[str, Item]:
        return await self._batch_get(SELLERS, self.tables.sellers, ids)

    async def get_listing(self, listing_id: str) -> Item | None:
        return await self._get_item(LISTINGS, self.tables.listings, listing_id)

    async def get_seller(self, seller_id: str) -> Item | None:
        return await self._get_item(SELLERS, self.tables.sellers, seller_id)

    async def _get_item(self, spec: TableSpec, table: str, key: str) -> Item | None:
        if not valid_key(key):
            return None  # no item can have this key; DynamoDB would reject the request
        response = await self._call("GetItem", TableName=table, Key={spec.key.hash_key: {"S": key}})
        item = response.get("Item")
        return from_wire(item) if item else None

    async def _batch_get(self, spec: TableSpec, table: str, ids: Sequence[str]) -> dict[str, Item]:
        unique = [key for key in dict.fromkeys(ids) if valid_key(key)]
        chunks = [unique[i : i + MAX_ITEMS] for i in range(0, len(unique), MAX_ITEMS)]
        found: dict[str, Item] = {}
        for part in await asyncio.gather(*(self._batch_get_chunk(spec, table, c) for c in chunks)):
            found.update(part)
        return found

    async def _batch_get_chunk(
        self, spec: TableSpec, table: str, ids: Sequence[str]
    ) -> dict[str, Item]:
        hash_key = spec.key.hash_key
        keys: list[dict[str, Any]] = [{hash_key: {"S": key}} for key in ids]
        found: dict[str, Item] = {}
        attempt = 0
        while keys:
            response = await self._call("BatchGetItem", RequestItems={table: {"Keys": keys}})
            for raw in response.get("Responses", {}).get(table, []):
                item = from_wire(raw)
                found[item[hash_key]] = item
            keys = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if not keys:
                break
            if attempt >= self._batch_get_max_retries:
                raise Unavailable(
                    "The data store is busy and left keys unread after retries; retry the "
                    "request shortly.",
                    retryable=True,
                )
            await self._sleep(_backoff(attempt))
            attempt += 1
        return found

    # -- pages of a GSI ----------------------------------------------------------

    async def listings_by_seller(
        self,
        seller_id: str,
        *,
        first: int,
        after: str | None,
        status: str | None,
        where: Sequence[Condition] = (),
    ) -> Page:
        return await self._listings_page("bySeller", seller_id, first, after, status, where)

    async def listings_by_product(
        self,
        product_id: str,
        *,
        first: int,
        after: str | None,
        status: str | None,
        where: Sequence[Condition] = (),
    ) -> Page:
        return await self._listings_page("byProduct", product_id, first, after, status, where)

    async def _listings_page(
        self,
        index_name: str,
        partition: str,
        first: int,
        after: str | None,
        status: str | None,
        where: Sequence[Condition],
    ) -> Page:
        conditions: list[Condition] = [(("status",), "=", status)] if status else []
        conditions.extend(where)
        # The cursor is bound to the filter too: it only continues the same query.
        digest = hashlib.sha256(repr(sorted(map(repr, conditions))).encode()).hexdigest()[:16]
        return await self._query_page(
            table=self.tables.listings,
            index=LISTINGS.index(index_name),
            table_key=LISTINGS.key,
            partition=partition,
            first=first,
            after=after,
            fingerprint=f"listings/{index_name}/{partition}/{digest}",
            filters=conditions,
        )
