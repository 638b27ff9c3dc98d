"""Reads by key: GetItem and BatchGetItem (chunks of MAX_ITEMS, unprocessed keys
retried with jittered back-off), optionally projected to some attributes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from graph.bounds import MAX_ITEMS, MAX_KEY_BYTES
from graph.errors import Unavailable
from graph.store.calls import Door
from graph.store.expressions import projected_paths, projection_expression
from graph.store.items import Item, from_wire
from graph.store.tables import TableSpec

Sleep = Callable[[float], Awaitable[None]]


def valid_key(key: str) -> bool:
    """Could an item have this key? Empty, oversized or non-Unicode keys (a lone
    surrogate cannot be encoded) are errors in DynamoDB."""
    try:
        return 0 < len(key.encode()) <= MAX_KEY_BYTES
    except UnicodeEncodeError:
        return False


def backoff(attempt: int, base: float = 0.025, cap: float = 1.0) -> float:
    """Full jitter: a random wait in [0, min(cap, base * 2**attempt))."""
    return random.uniform(0, min(cap, base * 2**attempt))


def _projection(spec: TableSpec, attributes: Collection[str] | None) -> dict[str, Any]:
    """ProjectionExpression and its names for `attributes` plus the table's key."""
    if attributes is None:
        return {}
    names: dict[str, str] = {}
    paths = projected_paths(attributes, spec.key.attributes())
    return {
        "ProjectionExpression": projection_expression(paths, names),
        "ExpressionAttributeNames": names,
    }


@dataclass(frozen=True)
class KeyReader:
    """GetItem and BatchGetItem on one table (hash key only: listings, sellers)."""

    door: Door
    spec: TableSpec
    table: str
    max_retries: int
    sleep: Sleep

    async def get(self, key: str, *, attributes: Collection[str] | None = None) -> Item | None:
        if not valid_key(key):
            return None  # no item can have this key; DynamoDB would reject the request
        self.door.expect(1)
        response = await self.door.call(
            "GetItem",
            TableName=self.table,
            Key={self.spec.key.hash_key: {"S": key}},
            **_projection(self.spec, attributes),
        )
        item = response.get("Item")
        return from_wire(item) if item else None

    async def get_consistent(self, key: str) -> Item | None:
        if not valid_key(key):
            return None
        self.door.expect(1)
        response = await self.door.call(
            "GetItem",
            TableName=self.table,
            Key={self.spec.key.hash_key: {"S": key}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return from_wire(item) if item else None

    async def get_many(
        self, ids: Sequence[str], *, attributes: Collection[str] | None = None
    ) -> dict[str, Item]:
        """The items that exist, by key; invalid keys are skipped, duplicates read once."""
        unique = [key for key in dict.fromkeys(ids) if valid_key(key)]
        chunks = [unique[i : i + MAX_ITEMS] for i in range(0, len(unique), MAX_ITEMS)]
        if len(chunks) == 1:  # the usual case: no task per chunk
            return await self._chunk(chunks[0], attributes)
        found: dict[str, Item] = {}
        for part in await asyncio.gather(*(self._chunk(c, attributes) for c in chunks)):
            found.update(part)
        return found

    async def _chunk(
        self, ids: Sequence[str], attributes: Collection[str] | None
    ) -> dict[str, Item]:
        hash_key = self.spec.key.hash_key
        keys: list[dict[str, Any]] = [{hash_key: {"S": key}} for key in ids]
        projection = _projection(self.spec, attributes)
        found: dict[str, Item] = {}
        attempt = 0
        # Unprocessed keys (throttling, or 16 MB of items) are retried: at most this many.
        self.door.expect(1 + self.max_retries)
        while keys:
            response = await self.door.call(
                "BatchGetItem", RequestItems={self.table: {"Keys": keys, **projection}}
            )
            for raw in response.get("Responses", {}).get(self.table, []):
                item = from_wire(raw)
                found[item[hash_key]] = item
            keys = response.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
            if not keys:
                break
            if attempt >= self.max_retries:
                raise Unavailable(
                    "The data store is busy and left keys unread after retries; retry the "
                    "request shortly.",
                    retryable=True,
                )
            await self.sleep(backoff(attempt))
            attempt += 1
        return found
