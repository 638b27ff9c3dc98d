"""TenantStore: the only way a request reaches DynamoDB; AuditStore: the audit
consumer's, the only one that can append history.

A store is built per request from the process's long-lived client and one tenant's
table names. It has no method that takes a table name from outside, so a request can
only ever reach the tables of the tenant its credential resolved to. It holds one
repository per table: `store.listings`, `store.sellers`, `store.history` (reads only).
"""

from __future__ import annotations

import asyncio
from typing import Any

from graph.store.calls import Door
from graph.store.cursors import CursorCodec
from graph.store.history import HistoryReader, HistoryWriter
from graph.store.keys import KeyReader, Sleep
from graph.store.listings import Listings
from graph.store.sellers import Sellers
from graph.store.stats import StoreStats
from graph.store.tables import LISTINGS, SELLERS, TableNames


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
    ) -> None:
        self.tables = tables
        self.stats = stats if stats is not None else StoreStats()
        door = Door(client, self.stats, deadline)
        self._door = door
        self.listings = Listings(
            door,
            tables.listings,
            cursors,
            KeyReader(door, LISTINGS, tables.listings, batch_get_max_retries, sleep),
        )
        self.sellers = Sellers(
            door,
            tables.sellers,
            KeyReader(door, SELLERS, tables.sellers, batch_get_max_retries, sleep),
        )
        self.history: HistoryReader = HistoryReader(door, tables.history, cursors)

    @property
    def deadline(self) -> float | None:
        """Event-loop time after which no DynamoDB call of this request may run."""
        return self._door.deadline


class AuditStore:
    """The audit consumer's store: the history table only, with `append`."""

    def __init__(self, client: Any, tables: TableNames, *, stats: StoreStats | None = None):
        self.tables = tables
        self.stats = stats if stats is not None else StoreStats()
        # History appends need no cursors; the codec only serves the reader's pages.
        cursors = CursorCodec(b"audit", tables.history)
        self.history = HistoryWriter(Door(client, self.stats, None), tables.history, cursors)
