"""The history table: append-only audit entries, written by the audit consumer only.

Key: `entityId` (`listing#<id>` or `seller#<id>`) and `atSequence`
(`<ISO time>#<stream sequence, zero-padded>`), so an entity's entries sort by time and
a redelivered stream record maps to the same key: the conditional put adds it once.

A request's store holds a HistoryReader; only the audit consumer's AuditStore holds a
HistoryWriter, the one class with `append`.
"""

from __future__ import annotations

from typing import Any

from graph.store.calls import Door
from graph.store.cursors import CursorCodec
from graph.store.errors import ConditionFailed
from graph.store.items import Item, from_wire, to_wire
from graph.store.pages import Page, PageQuery, query_page
from graph.store.tables import HISTORY

#: Sorts after any sequence number at the same instant (they are digits).
_END_OF_INSTANT = "#~"


class HistoryReader:
    """Reads of the history table: per entity, per seller, per actor, as of an instant."""

    def __init__(self, door: Door, table: str, cursors: CursorCodec) -> None:
        self._door = door
        self._table = table
        self._cursors = cursors

    async def _page(self, query: PageQuery, first: int, after: str | None) -> Page:
        return await query_page(self._door, self._cursors, query, first=first, after=after)

    async def of(self, entity_id: str, *, first: int, after: str | None) -> Page:
        """An entity's entries (`listing#<id>`, `seller#<id>`), newest first."""
        query = PageQuery(
            table=self._table,
            index=None,
            table_key=HISTORY.key,
            partition=entity_id,
            fingerprint=f"history/{entity_id}",
        )
        return await self._page(query, first, after)

    async def by_seller(self, seller_id: str, *, first: int, after: str | None) -> Page:
        query = PageQuery(
            table=self._table,
            index=HISTORY.index("bySeller"),
            table_key=HISTORY.key,
            partition=seller_id,
            fingerprint=f"history/bySeller/{seller_id}",
        )
        return await self._page(query, first, after)

    async def by_actor(
        self, actor: str, *, start: str | None, end: str | None, first: int, after: str | None
    ) -> Page:
        """An actor's entries, newest first, between `start` and `end` (ISO instants,
        inclusive; None leaves that side open: DynamoDB refuses an empty key value)."""
        bounds: dict[str, Any] = {}
        if start is not None:
            bounds[":from"] = {"S": start}
        if end is not None:
            bounds[":to"] = {"S": end}
        expression = {
            (True, True): "#sk BETWEEN :from AND :to",
            (True, False): "#sk >= :from",
            (False, True): "#sk <= :to",
        }.get((start is not None, end is not None))
        query = PageQuery(
            table=self._table,
            index=HISTORY.index("byActor"),
            table_key=HISTORY.key,
            partition=actor,
            fingerprint=f"history/byActor/{actor}/{start or ''}/{end or ''}",
            range_condition=(expression, bounds) if expression else None,
        )
        return await self._page(query, first, after)

    async def as_of(self, entity_id: str, instant: str) -> Item | None:
        """The entity's last history entry at or before `instant` (ISO, UTC)."""
        self._door.expect(1)
        response = await self._door.call(
            "Query",
            TableName=self._table,
            KeyConditionExpression="#pk = :pk AND #sk <= :until",
            ExpressionAttributeNames={"#pk": "entityId", "#sk": "atSequence"},
            ExpressionAttributeValues={
                ":pk": {"S": entity_id},
                ":until": {"S": instant + _END_OF_INSTANT},
            },
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return from_wire(items[0]) if items else None


class HistoryWriter(HistoryReader):
    """The audit consumer's history: reads, and the one way to append an entry."""

    async def append(self, entry: Item) -> bool:
        """Write an entry unless its key exists; True if it was new."""
        try:
            await self._door.call(
                "PutItem",
                TableName=self._table,
                Item=to_wire(entry),
                ConditionExpression="attribute_not_exists(entityId)",
            )
        except ConditionFailed:
            return False
        return True
