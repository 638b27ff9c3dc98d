"""Pages of a Query, newest first, with signed cursors bound to the query they came from."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, overload

from graph.bounds import FILTERED_PAGE_MAX_CALLS, MAX_ITEMS
from graph.conditions import Condition
from graph.errors import BadUserInput
from graph.store.calls import Door
from graph.store.cursors import CursorCodec
from graph.store.expressions import filter_expression, projected_paths, projection_expression
from graph.store.items import Item, from_wire
from graph.store.keys import valid_key
from graph.store.tables import IndexSpec, KeySchema


class Cursors(Sequence[str]):
    """A page's cursors, each signed when first asked for: a query that selects only
    `pageInfo.endCursor` signs one cursor, not one per edge."""

    def __init__(self, sign: Callable[[Item], str], items: Sequence[Item]) -> None:
        self._sign = sign
        self._items = items
        self._signed: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        at = range(len(self))[index]  # IndexError out of range, negatives resolved
        found = self._signed.get(at)
        if found is None:
            found = self._signed[at] = self._sign(self._items[at])
        return found


@dataclass(frozen=True)
class Page:
    items: list[Item]
    cursors: Sequence[str]
    has_next_page: bool
    #: Where the next page starts; the last item's cursor unless reading stopped early.
    stop_cursor: str | None = None

    @property
    def end_cursor(self) -> str | None:
        return self.stop_cursor or (self.cursors[-1] if self.cursors else None)


@dataclass(frozen=True)
class PageQuery:
    """What one page reads: a partition of the table or of one of its indexes."""

    table: str
    index: IndexSpec | None
    table_key: KeySchema
    partition: str
    #: Binds cursors to this query: a cursor only continues the query that made it.
    fingerprint: str
    filters: Sequence[Condition] = ()
    #: (expression on `#sk`, its values), e.g. `("#sk BETWEEN :from AND :to", {...})`.
    range_condition: tuple[str, dict[str, Any]] | None = None
    #: Attributes to read (None: all); the keys and filtered attributes are added.
    attributes: Collection[str] | None = None
    #: A filtered page's read budget, in Queries of `first + 1` items.
    max_calls: int = FILTERED_PAGE_MAX_CALLS


async def query_page(
    door: Door, cursors: CursorCodec, query: PageQuery, *, first: int, after: str | None
) -> Page:
    """One page of `query`. `filters` become a FilterExpression (items are read, then
    dropped, so a sparse filter reads more); once it has read `max_calls` Queries' worth
    of items (`first + 1` each) the page ends early with `hasNextPage` and a cursor
    where the reading stopped. An unfiltered page reads until it is full."""
    if not 1 <= first <= MAX_ITEMS:
        raise BadUserInput(
            f"`first` must be between 1 and {MAX_ITEMS}; got {first}.", argument="first"
        )
    fingerprint = query.fingerprint
    if not valid_key(query.partition):
        if after is not None:
            cursors.decode(fingerprint, after)  # still reject a bad cursor
        return Page(items=[], cursors=[], has_next_page=False)
    key = query.index.key if query.index else query.table_key
    key_attrs = tuple(dict.fromkeys((*query.table_key.attributes(), *key.attributes())))
    names: dict[str, str] = {"#pk": key.hash_key}
    values: dict[str, Any] = {":pk": {"S": query.partition}}
    condition = "#pk = :pk"
    if query.range_condition is not None and key.range_key is not None:
        names["#sk"] = key.range_key
        condition += f" AND {query.range_condition[0]}"
        values.update(query.range_condition[1])
    request: dict[str, Any] = {
        "TableName": query.table,
        "KeyConditionExpression": condition,
        "ScanIndexForward": False,
        "Limit": first + 1,
    }
    if query.index is not None:
        request["IndexName"] = query.index.name
    if after is not None:
        start = cursors.decode(fingerprint, after)
        if set(start) != set(key_attrs) or start.get(key.hash_key) != query.partition:
            raise BadUserInput("The cursor is not valid for this query.", argument="after")
        request["ExclusiveStartKey"] = {name: {"S": value} for name, value in start.items()}
    if query.filters:
        request["FilterExpression"] = filter_expression(query.filters, names, values)
    if query.attributes is not None:
        paths = projected_paths(query.attributes, key_attrs, (c.path for c in query.filters))
        request["ProjectionExpression"] = projection_expression(paths, names)
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = values
    # The budget is in items, not calls: DynamoDB ends a Query at 1 MB of items read,
    # private attributes included, so a call-counted budget would return other pages
    # (and settle other costs) as private fields grow. Counted in items, what a page
    # returns depends only on the items' order and the filter; only the calls vary.
    budget = query.max_calls * (first + 1) if query.filters else first + 1
    if query.filters:  # where a filtered reading stops depends on DynamoDB's 1 MB cuts
        door.expect(budget, budget)  # each call reads an item or ends the partition
    items: list[Item] = []
    stopped_at: dict[str, str] | None = None
    scanned = 0
    while True:
        request["Limit"] = min(first + 1, budget - scanned)
        response = await door.call("Query", **request)
        raws = response.get("Items", [])
        items.extend(from_wire(raw) for raw in raws)
        scanned += int(response.get("ScannedCount", len(raws)))
        last = response.get("LastEvaluatedKey")
        if len(items) > first or not last:
            break
        request["ExclusiveStartKey"] = last
        if scanned >= budget:  # read budget spent: resume from here next time
            stopped_at = {name: from_wire(last)[name] for name in key_attrs}
            break
    if not query.filters:  # every item read is returned (or is the next page's first)
        door.expect(len(items) + 1)
    page = items[:first]

    def sign(item: Item) -> str:
        return cursors.encode(fingerprint, {name: item[name] for name in key_attrs})

    encoded = Cursors(sign, page)
    if stopped_at is not None and len(items) <= first:
        return Page(page, encoded, True, cursors.encode(fingerprint, stopped_at))
    return Page(items=page, cursors=encoded, has_next_page=len(items) > first)
