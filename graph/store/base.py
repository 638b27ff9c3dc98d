"""The store's base: the single door to DynamoDB (`_call`), error translation, stats,
pages of a query with signed cursors."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from graph.bounds import FILTERED_PAGE_MAX_CALLS, MAX_ITEMS, MAX_KEY_BYTES
from graph.errors import BadUserInput, InternalError, Unavailable
from graph.store.cursors import CursorCodec
from graph.store.items import Item, from_wire, value_to_wire
from graph.store.tables import IndexSpec, KeySchema

log = logging.getLogger(__name__)

_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


def valid_key(key: str) -> bool:
    """Could an item have this key? Empty, oversized or non-Unicode keys (a lone
    surrogate cannot be encoded) are errors in DynamoDB."""
    try:
        return 0 < len(key.encode()) <= MAX_KEY_BYTES
    except UnicodeEncodeError:
        return False


class ConditionFailed(Exception):
    """A conditional write found the item in another state; `item` is what is there."""

    def __init__(self, item: Item | None) -> None:
        super().__init__("condition failed")
        self.item = item


class TransactionCanceled(Exception):
    """A transaction failed; `failures[i]` is the ConditionFailed of action i, or None."""

    def __init__(self, failures: list[ConditionFailed | None]) -> None:
        super().__init__("transaction canceled")
        self.failures = failures


@dataclass
class StoreStats:
    """What one request cost in DynamoDB: calls per operation and consumed capacity."""

    calls: dict[str, int] = field(default_factory=dict)
    read_capacity: float = 0.0
    write_capacity: float = 0.0
    #: Items Queries read and their filters dropped (ScannedCount - Count).
    items_dropped: int = 0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def record(self, operation: str, response: Mapping[str, Any]) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if "ScannedCount" in response:
            self.items_dropped += int(response["ScannedCount"]) - int(response.get("Count", 0))
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
    #: Where the next page starts; the last item's cursor unless reading stopped early.
    stop_cursor: str | None = None

    @property
    def end_cursor(self) -> str | None:
        return self.stop_cursor or (self.cursors[-1] if self.cursors else None)


#: (attribute path, operator, value): `(("custom", "size"), ">=", Decimal(9))`. The
#: operator may end in `?`: the condition then also holds where the attribute is missing
#: (a custom field whose declared default matches).
Condition = tuple[tuple[str, ...], str, Any]
_OPERATORS = frozenset({"=", "<>", "<", "<=", ">", ">=", "IN"})


def _filter_expression(
    conditions: Sequence[Condition], names: dict[str, str], values: dict[str, Any]
) -> str:
    parts = []
    for n, (path, operator, value) in enumerate(conditions):
        op = operator.rstrip("?")
        if op not in _OPERATORS:
            raise ValueError(f"unsupported operator {operator!r}")
        segments = []
        for m, segment in enumerate(path):
            names[f"#f{n}_{m}"] = segment
            segments.append(f"#f{n}_{m}")
        attr = ".".join(segments)
        if op == "IN":
            placeholders = []
            for m, item in enumerate(value):
                values[f":f{n}_{m}"] = value_to_wire(item)
                placeholders.append(f":f{n}_{m}")
            expression = f"{attr} IN ({', '.join(placeholders)})"
        else:
            values[f":f{n}"] = value_to_wire(value)
            expression = f"{attr} {op} :f{n}"
        if operator.endswith("?"):
            expression = f"(attribute_not_exists({attr}) OR {expression})"
        parts.append(expression)
    return " AND ".join(parts)


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


class StoreBase:
    def __init__(
        self,
        client: Any,
        tables: TableNames,
        cursors: CursorCodec,
        *,
        stats: StoreStats | None = None,
        batch_get_max_retries: int = 8,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        deadline: float | None = None,
    ) -> None:
        self._client = client
        #: Event-loop time after which no DynamoDB call of this request may run (None: none).
        self.deadline = deadline
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
            # The deadline also cuts botocore's retry back-off short.
            async with asyncio.timeout_at(self.deadline):
                response: dict[str, Any] = await method(**request)
        except TimeoutError as exc:
            self.stats.record(operation, {})
            log.warning("DynamoDB %s ran past the request deadline", operation)
            raise Unavailable(
                "The data store did not answer within the request's deadline; retry the "
                "request shortly.",
                retryable=True,
            ) from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            self.stats.record(operation, {})
            # Any 5xx left after botocore's retries is the service's trouble, not ours
            # (a 503 arrives as ServiceUnavailableException, a proxy's 502 as "502").
            if code in _RETRYABLE_CODES or status >= 500:
                raise Unavailable(
                    "The data store is busy and did not answer after retries; retry the "
                    "request shortly.",
                    retryable=True,
                ) from exc
            if code == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons", [])
                raise TransactionCanceled(
                    [
                        ConditionFailed(from_wire(r["Item"]) if r.get("Item") else None)
                        if r.get("Code") == "ConditionalCheckFailed"
                        else None
                        for r in reasons
                    ]
                ) from exc
            if code == "ConditionalCheckFailedException":
                old = exc.response.get("Item")
                raise ConditionFailed(from_wire(old) if old else None) from exc
            message = str(exc.response.get("Error", {}).get("Message", ""))
            if code == "ValidationException" and "size has exceeded" in message:
                # Input bounds keep writes far below 400 KB; this is the last fence.
                raise BadUserInput(
                    "The item would be larger than DynamoDB's 400 KB item limit; send less "
                    "data (shorter texts, fewer images or custom values)."
                ) from exc
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

    async def _query_page(
        self,
        *,
        table: str,
        index: IndexSpec | None,
        table_key: KeySchema,
        partition: str,
        first: int,
        after: str | None,
        fingerprint: str,
        filters: Sequence[Condition] = (),
        range_condition: tuple[str, dict[str, Any]] | None = None,
        max_calls: int = FILTERED_PAGE_MAX_CALLS,
    ) -> Page:
        """One page of a Query, newest first, with signed cursors bound to `fingerprint`.

        `filters` are conditions on attributes (a FilterExpression: items are read,
        then dropped, so a sparse filter reads more); after `max_calls` Queries the page
        ends early with `hasNextPage` and a cursor where the reading stopped;
        `range_condition` is (expression on `#sk`, its values), e.g. BETWEEN.
        """
        if not 1 <= first <= MAX_ITEMS:
            raise BadUserInput(
                f"`first` must be between 1 and {MAX_ITEMS}; got {first}.", argument="first"
            )
        if not valid_key(partition):
            if after is not None:
                self._cursors.decode(fingerprint, after)  # still reject a bad cursor
            return Page(items=[], cursors=[], has_next_page=False)
        key = index.key if index else table_key
        key_attrs = tuple(dict.fromkeys((*table_key.attributes(), *key.attributes())))
        names: dict[str, str] = {"#pk": key.hash_key}
        values: dict[str, Any] = {":pk": {"S": partition}}
        condition = "#pk = :pk"
        if range_condition is not None and key.range_key is not None:
            names["#sk"] = key.range_key
            condition += f" AND {range_condition[0]}"
            values.update(range_condition[1])
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
            "Limit": first + 1,
        }
        if index is not None:
            request["IndexName"] = index.name
        if after is not None:
            start = self._cursors.decode(fingerprint, after)
            if set(start) != set(key_attrs) or start.get(key.hash_key) != partition:
                raise BadUserInput("The cursor is not valid for this query.", argument="after")
            request["ExclusiveStartKey"] = {name: {"S": value} for name, value in start.items()}
        if filters:
            request["FilterExpression"] = _filter_expression(filters, names, values)
        request["ExpressionAttributeNames"] = names
        request["ExpressionAttributeValues"] = values
        items: list[Item] = []
        stopped_at: dict[str, str] | None = None
        for call in range(max_calls):
            response = await self._call("Query", **request)
            items.extend(from_wire(raw) for raw in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if len(items) > first or not last:
                break
            request["ExclusiveStartKey"] = last
            if call == max_calls - 1:  # read budget spent: resume from here next time
                stopped_at = {name: from_wire(last)[name] for name in key_attrs}
        page = items[:first]
        cursors = [
            self._cursors.encode(fingerprint, {name: item[name] for name in key_attrs})
            for item in page
        ]
        if stopped_at is not None and len(items) <= first:
            return Page(page, cursors, True, self._cursors.encode(fingerprint, stopped_at))
        return Page(items=page, cursors=cursors, has_next_page=len(items) > first)


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
