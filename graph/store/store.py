"""TenantStore: the only way a request reaches DynamoDB; AuditStore: the audit
consumer's, the only one that can append history.

A store is built per request from the process's long-lived client and one tenant's
table names. It has no method that takes a table name from outside, so a request can
only ever reach the tables of the tenant its credential resolved to. It holds one
repository per table: `store.listings`, `store.sellers`, `store.history` (reads only),
`store.uploads`; and `store.photos`, the tenant's own photo bucket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from typing import Any

from graph.store.calls import Door
from graph.store.cursors import CursorCodec
from graph.store.facets import FacetReader, FacetWriter
from graph.store.history import HistoryReader, HistoryWriter
from graph.store.indexes import IndexedField
from graph.store.keys import KeyReader, Sleep
from graph.store.listings import Listings
from graph.store.photos import PhotoBucket
from graph.store.planner import Order, ShopFilter, plan_shop
from graph.store.sellers import Sellers
from graph.store.shop import ShopPage, shop_page
from graph.store.stats import StoreStats
from graph.store.tables import LISTINGS, SELLERS, TableNames
from graph.store.uploads import Uploads


class TenantStore:
    """One request's store: listings and sellers (read and write), history (read)."""

    def __init__(
        self,
        client: Any,
        tables: TableNames,
        cursors: CursorCodec,
        *,
        stats: StoreStats | None = None,
        batch_get_max_retries: int = 8,
        sleep: Sleep = asyncio.sleep,
        deadline: float | None = None,
        indexed: Sequence[IndexedField] = (),
        photos: PhotoBucket | None = None,
    ) -> None:
        self.tables = tables
        self.indexed = tuple(indexed)
        self._cursors = cursors
        self.stats = stats if stats is not None else StoreStats()
        door = Door(client, self.stats, deadline)
        self._door = door
        self.listings = Listings(
            door,
            tables.listings,
            cursors,
            KeyReader(door, LISTINGS, tables.listings, batch_get_max_retries, sleep),
            self.indexed,
        )
        self.sellers = Sellers(
            door,
            tables.sellers,
            KeyReader(door, SELLERS, tables.sellers, batch_get_max_retries, sleep),
        )
        self.history: HistoryReader = HistoryReader(door, tables.history, cursors)
        self.facets = FacetReader(door, tables.history)
        #: Staged photo uploads, and the tenant's photo bucket (None: no photos here).
        self.uploads = Uploads(door, tables.uploads)
        self.photos = photos

    async def shop(
        self,
        *,
        status: str,
        order: Order,
        wanted: ShopFilter,
        first: int,
        after: str | None,
        attributes: Collection[str] | None = None,
    ) -> ShopPage:
        """A page of the tenant's listings of `status` (graph/store/planner.py picks the
        index); the plan and what it read are added to `stats.plans`."""
        chosen = plan_shop(status, order, wanted, self.indexed)
        page = await shop_page(
            self._door,
            self._cursors,
            self.tables.listings,
            chosen,
            first=first,
            after=after,
            attributes=attributes,
        )
        self.stats.plans.append(
            {
                "index": page.index,
                "queries": len(chosen.partitions),
                "served": chosen.served,
                "itemsRead": page.items_read,
                "itemsReturned": len(page.items),
                "complete": page.complete,
            }
        )
        return page

    @property
    def deadline(self) -> float | None:
        """Event-loop time after which no DynamoDB call of this request may run."""
        return self._door.deadline

    def allow_photo_time(self) -> None:
        """A write attaching photos decodes them inline: its DynamoDB calls may run
        until the photo bucket's (later) deadline."""
        if self.photos is not None and self.photos.deadline is not None:
            self._door.deadline = max(self._door.deadline or 0.0, self.photos.deadline)


class AuditStore:
    """The audit consumer's store: the history table only, with `append`."""

    def __init__(self, client: Any, tables: TableNames, *, stats: StoreStats | None = None):
        self.tables = tables
        self.stats = stats if stats is not None else StoreStats()
        # History appends need no cursors; the codec only serves the reader's pages.
        cursors = CursorCodec(b"audit", tables.history)
        door = Door(client, self.stats, None)
        self.history = HistoryWriter(door, tables.history, cursors)
        #: History entries with facet counter changes, in one transaction.
        self.facets = FacetWriter(door, tables.history)
