"""The history table: append-only audit entries, written by the audit consumer only.

Key: `entityId` (`listing#<id>` or `seller#<id>`) and `atSequence`
(`<ISO time>#<stream sequence, zero-padded>`), so an entity's entries sort by time and
a redelivered stream record maps to the same key: the conditional put adds it once.
"""

from __future__ import annotations

from typing import Any

from graph.store.base import ConditionFailed, Page, StoreBase
from graph.store.items import Item, from_wire, to_wire
from graph.store.tables import HISTORY

#: Sorts after any sequence number at the same instant (they are digits).
_END_OF_INSTANT = "#~"


class History(StoreBase):
    async def append_history(self, entry: Item) -> bool:
        """Write an entry unless its key exists; True if it was new."""
        try:
            await self._call(
                "PutItem",
                TableName=self.tables.history,
                Item=to_wire(entry),
                ConditionExpression="attribute_not_exists(entityId)",
            )
        except ConditionFailed:
            return False
        return True

    async def history_of(self, entity_id: str, *, first: int, after: str | None) -> Page:
        return await self._query_page(
            table=self.tables.history,
            index=None,
            table_key=HISTORY.key,
            partition=entity_id,
            first=first,
            after=after,
            fingerprint=f"history/{entity_id}",
        )

    async def history_by_seller(self, seller_id: str, *, first: int, after: str | None) -> Page:
        return await self._query_page(
            table=self.tables.history,
            index=HISTORY.index("bySeller"),
            table_key=HISTORY.key,
            partition=seller_id,
            first=first,
            after=after,
            fingerprint=f"history/bySeller/{seller_id}",
        )

    async def history_by_actor(
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
        return await self._query_page(
            table=self.tables.history,
            index=HISTORY.index("byActor"),
            table_key=HISTORY.key,
            partition=actor,
            first=first,
            after=after,
            fingerprint=f"history/byActor/{actor}/{start or ''}/{end or ''}",
            range_condition=(expression, bounds) if expression else None,
        )

    async def entry_as_of(self, entity_id: str, instant: str) -> Item | None:
        """The entity's last history entry at or before `instant` (ISO, UTC)."""
        request: dict[str, Any] = {
            "TableName": self.tables.history,
            "KeyConditionExpression": "#pk = :pk AND #sk <= :until",
            "ExpressionAttributeNames": {"#pk": "entityId", "#sk": "atSequence"},
            "ExpressionAttributeValues": {
                ":pk": {"S": entity_id},
                ":until": {"S": instant + _END_OF_INSTANT},
            },
            "ScanIndexForward": False,
            "Limit": 1,
            "ConsistentRead": True,
        }
        response = await self._call("Query", **request)
        items = response.get("Items", [])
        return from_wire(items[0]) if items else None
