"""TenantStore: the only way the gateway reaches DynamoDB.

A store is built per request from the process's long-lived client and one tenant's
table names. It has no method that takes a table name from outside, so a request can
only ever reach the tables of the tenant its credential resolved to.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from graph.errors import BadUserInput, InternalError, Unavailable
from graph.store.cursors import CursorCodec
from graph.store.items import Item, from_wire, value_to_wire
from graph.store.tables import LISTINGS, SELLERS, TableSpec

log = logging.getLogger(__name__)

BATCH_GET_LIMIT = 100
PAGE_LIMIT = 100
_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


@dataclass
class StoreStats:
    """What one request cost in DynamoDB: calls per operation and consumed capacity."""

    calls: dict[str, int] = field(default_factory=dict)
    read_capacity: float = 0.0
    write_capacity: float = 0.0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def record(self, operation: str, response: Mapping[str, Any]) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        consumed = response.get("ConsumedCapacity")
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            self.read_capacity += float(entry.get("ReadCapacityUnits", 0.0))
            self.write_capacity += float(entry.get("WriteCapacityUnits", 0.0))
            if "ReadCapacityUnits" not in entry and "WriteCapacityUnits" not in entry:
                units = float(entry.get("CapacityUnits", 0.0))
                if operation in {"Query", "GetItem", "BatchGetItem", "Scan"}:
                    self.read_capacity += units
                else:
                    self.write_capacity += units


@dataclass(frozen=True)
class Page:
    items: list[Item]
    cursors: list[str]
    has_next_page: bool


@dataclass(frozen=True)
class TableNames:
    """Physical table names of one tenant, by logical name."""

    listings: str
    sellers: str
    history: str

    @classmethod
    def from_mapping(cls, names: Mapping[str, str]) -> TableNames:
        return cls(listings=names["listings"], sellers=names["sellers"], history=names["history"])

    def all(self) -> tuple[str, ...]:
        return (self.listings, self.sellers, self.history)


def _backoff(attempt: int, base: float = 0.025, cap: float = 1.0) -> float:
    """Full jitter: a random wait in [0, min(cap, base * 2**attempt))."""
    return random.uniform(0, min(cap, base * 2**attempt))


class TenantStore:
    def __init__(
        self,
        client: Any,
        tables: TableNames,
        cursors: CursorCodec,
        *,
        stats: StoreStats | None = None,
        batch_get_max_retries: int = 8,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self.tables = tables
        self._cursors = cursors
        self.stats = stats if stats is not None else StoreStats()
        self._batch_get_max_retries = batch_get_max_retries
        self._sleep = sleep

    # -- the single door to DynamoDB -------------------------------------------------

    async def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        method = getattr(self._client, _snake(operation))
        request.setdefault("ReturnConsumedCapacity", "TOTAL")
        try:
            response: dict[str, Any] = await method(**request)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            self.stats.record(operation, {})
            if code in _RETRYABLE_CODES:
                raise Unavailable(
                    "The data store is busy and did not answer after retries; retry the "
                    "request shortly.",
                    retryable=True,
                ) from exc
            if code == "ConditionalCheckFailedException":
                raise
            log.exception("DynamoDB %s failed with %s", operation, code)
            raise InternalError("The data store rejected the request.") from exc
        except BotoCoreError as exc:
            self.stats.record(operation, {})
            log.warning("DynamoDB %s could not be reached: %s", operation, exc)
            raise Unavailable(
                "The data store could not be reached; retry the request shortly.",
                retryable=True,
            ) from exc
        self.stats.record(operation, response)
        return response

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
        response = await self._call("GetItem", TableName=table, Key={spec.key.hash_key: {"S": key}})
        item = response.get("Item")
        return from_wire(item) if item else None

    async def _batch_get(self, spec: TableSpec, table: str, ids: Sequence[str]) -> dict[str, Item]:
        unique = list(dict.fromkeys(ids))
        chunks = [unique[i : i + BATCH_GET_LIMIT] for i in range(0, len(unique), BATCH_GET_LIMIT)]
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
        self, seller_id: str, *, first: int, after: str | None, status: str | None
    ) -> Page:
        return await self._query_listings("bySeller", seller_id, first, after, status)

    async def listings_by_product(
        self, product_id: str, *, first: int, after: str | None, status: str | None
    ) -> Page:
        return await self._query_listings("byProduct", product_id, first, after, status)

    async def _query_listings(
        self, index_name: str, partition: str, first: int, after: str | None, status: str | None
    ) -> Page:
        if not 1 <= first <= PAGE_LIMIT:
            raise BadUserInput(
                f"`first` must be between 1 and {PAGE_LIMIT}; got {first}.", argument="first"
            )
        index = LISTINGS.index(index_name)
        fingerprint = f"listings/{index_name}/{partition}/{status or '*'}"
        key_attrs = (LISTINGS.key.hash_key, *index.key.attributes())
        request: dict[str, Any] = {
            "TableName": self.tables.listings,
            "IndexName": index_name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": index.key.hash_key},
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ScanIndexForward": False,
            "Limit": first + 1,
        }
        if after is not None:
            start = self._cursors.decode(fingerprint, after)
            if set(start) != set(key_attrs) or start.get(index.key.hash_key) != partition:
                raise BadUserInput("The cursor is not valid for this query.", argument="after")
            request["ExclusiveStartKey"] = {name: {"S": value} for name, value in start.items()}
        if status is not None:
            request["FilterExpression"] = "#status = :status"
            request["ExpressionAttributeNames"]["#status"] = "status"
            request["ExpressionAttributeValues"][":status"] = value_to_wire(status)
        items: list[Item] = []
        while True:
            response = await self._call("Query", **request)
            items.extend(from_wire(raw) for raw in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if len(items) > first or not last:
                break
            request["ExclusiveStartKey"] = last
        page = items[:first]
        cursors = [
            self._cursors.encode(fingerprint, {name: item[name] for name in key_attrs})
            for item in page
        ]
        return Page(items=page, cursors=cursors, has_next_page=len(items) > first)


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
