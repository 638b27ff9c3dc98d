"""Facet counts: per status, how many listings have each condition and each value of
each indexed custom field. Kept by the audit consumer, never recounted on read.

One counter item per status in the history table (`entityId` = `facets#<STATUS>`,
`atSequence` = `counts`), one numeric attribute per value (`c:condition#GOOD`,
`c:size#10.5`). The consumer applies a stream record's history entry and its counter
changes in one TransactWriteItems whose put is conditional on the entry being new: a
redelivered record cancels the whole transaction, so nothing counts twice, and a record
that failed is retried whole. Counters are as current as the audit trail (the stream's
lag: usually under a second on AWS, the runner's poll interval locally).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from typing import Any

from graph.store.calls import Door
from graph.store.errors import ConditionFailed, TransactionCanceled
from graph.store.items import Item, from_wire, to_wire

_PREFIX = "c:"
_SORT = "counts"
#: Concurrent transactions on one counter item conflict; each retry waits a little.
CONFLICT_RETRIES = 12

#: {facet: {value: count}}, e.g. {"condition": {"GOOD": 3}, "size": {"10.5": 2}}.
Counts = dict[str, dict[str, int]]
#: {status: {"<facet>#<value>": change}}
Deltas = Mapping[str, Mapping[str, int]]


def facet_key(status: str) -> dict[str, Any]:
    return {"entityId": {"S": f"facets#{status}"}, "atSequence": {"S": _SORT}}


class FacetReader:
    def __init__(self, door: Door, table: str) -> None:
        self._door = door
        self._table = table

    async def counts(self, status: str) -> Counts:
        """The counters of `status` (one GetItem); values counted zero are left out."""
        self._door.expect(1)
        response = await self._door.call("GetItem", TableName=self._table, Key=facet_key(status))
        item = from_wire(response.get("Item") or {})
        out: Counts = {}
        for name, count in item.items():
            if not name.startswith(_PREFIX) or int(count) <= 0:
                continue
            facet, _, value = name[len(_PREFIX) :].partition("#")
            out.setdefault(facet, {})[value] = int(count)
        return out


class FacetWriter(FacetReader):
    """The audit consumer's: a history entry and its counter changes, at most once."""

    async def append(self, entry: Item, deltas: Deltas) -> bool:
        """Write `entry` unless its key exists, with the counter changes; True if new."""
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_wire(entry),
                    "ConditionExpression": "attribute_not_exists(entityId)",
                }
            }
        ]
        for status, changes in sorted(deltas.items()):
            names: dict[str, str] = {}
            values: dict[str, Any] = {}
            parts = []
            for n, (counter, change) in enumerate(sorted(changes.items())):
                names[f"#c{n}"] = _PREFIX + counter
                values[f":c{n}"] = {"N": str(change)}
                parts.append(f"#c{n} :c{n}")
            if parts:
                actions.append(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": facet_key(status),
                            "UpdateExpression": "ADD " + ", ".join(parts),
                            "ExpressionAttributeNames": names,
                            "ExpressionAttributeValues": values,
                        }
                    }
                )
        for attempt in range(CONFLICT_RETRIES):
            try:
                await self._door.call("TransactWriteItems", TransactItems=actions)
            except TransactionCanceled as canceled:
                if canceled.failures and isinstance(canceled.failures[0], ConditionFailed):
                    return False  # the entry exists: this record was applied before
                if attempt == CONFLICT_RETRIES - 1:
                    raise
                await asyncio.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 6)))
                continue
            return True
        return False  # unreachable: the last attempt returns or raises


def deltas_of(
    old: Mapping[str, Any], new: Mapping[str, Any], facets: Callable[[Mapping[str, Any]], list[str]]
) -> dict[str, dict[str, int]]:
    """Counter changes from a listing's old and new images: `facets(image)` lists the
    image's counters; the old status loses its counters, the new one gains its own."""
    out: dict[str, dict[str, int]] = {}
    for image, change in ((old, -1), (new, 1)):
        status = image.get("status") if image else None
        if not isinstance(status, str):
            continue
        bucket = out.setdefault(status, {})
        for counter in facets(image):
            bucket[counter] = bucket.get(counter, 0) + change
    return {
        status: {c: n for c, n in changes.items() if n}
        for status, changes in out.items()
        if any(changes.values())
    }
