"""One shop page: a Query per partition of the plan (all at once), merged in order
(a partition whose items pass DynamoDB's 1 MB per Query is read on until its share).

A cursor holds every partition's position (where its next Query starts, or `-` when
it is read to the end), signed and bound to the plan's fingerprint (status, order and
filter set). A page served by its index alone is exact: `hasNextPage` is true only when
a matching item was read past the page. A page with a FilterExpression reads at most
its budget; it returns only items known to be in order (no partition stopped before
them), and says `complete = False` when its partitions were not read to the end and no
matching item is known to remain: `endCursor` continues the reading.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, overload

from graph.bounds import MAX_ITEMS
from graph.errors import BadUserInput
from graph.store.calls import Door
from graph.store.cursors import CursorCodec
from graph.store.expressions import filter_expression, projected_paths, projection_expression
from graph.store.items import Item, from_wire
from graph.store.keys import valid_key
from graph.store.pages import Page
from graph.store.planner import Plan
from graph.store.tables import LISTINGS

DONE = "-"
#: A partition's position: None (from its start), DONE, or the wire key to start after.
Position = dict[str, Any] | str | None


@dataclass(frozen=True)
class ShopPage(Page):
    #: False when the read budget ran out before the result was known to be exhausted.
    complete: bool = True
    index: str = ""
    items_read: int = 0


class _Cursors(Sequence[str]):
    """Each edge's cursor, signed when first asked for."""

    def __init__(self, codec: CursorCodec, fingerprint: str, states: list[list[Position]]):
        self._codec, self._fingerprint, self._states = codec, fingerprint, states
        self._signed: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._states)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        at = range(len(self))[index]
        if at not in self._signed:
            self._signed[at] = encode(self._codec, self._fingerprint, self._states[at])
        return self._signed[at]


def encode(codec: CursorCodec, fingerprint: str, state: Sequence[Position]) -> str:
    key = {
        str(n): pos if isinstance(pos, str) else "" if pos is None else json.dumps(pos)
        for n, pos in enumerate(state)
    }
    return codec.encode(fingerprint, key)


def _bad_cursor() -> BadUserInput:
    return BadUserInput("The cursor is not valid for this shop query.", argument="after")


def decode(codec: CursorCodec, plan: Plan, after: str) -> list[Position]:
    key = codec.decode(plan.fingerprint, after)
    if set(key) != {str(n) for n in range(len(plan.partitions))}:
        raise _bad_cursor()
    names = {*LISTINGS.key.attributes(), *plan.index.key.attributes()}
    state: list[Position] = []
    for n, partition in enumerate(plan.partitions):
        text = key[str(n)]
        if text in ("", DONE):
            state.append(None if text == "" else DONE)
            continue
        try:
            start = json.loads(text)
        except ValueError:
            raise _bad_cursor() from None
        valid = isinstance(start, dict) and set(start) == names
        valid = valid and all(
            isinstance(v, dict) and len(v) == 1 and isinstance(v.get("S", v.get("N")), str)
            for v in start.values()
        )
        if not valid or start[plan.index.key.hash_key] != {"S": partition}:
            raise _bad_cursor()
        state.append(start)
    return state


async def shop_page(
    door: Door,
    codec: CursorCodec,
    table: str,
    plan: Plan,
    *,
    first: int,
    after: str | None,
    attributes: Collection[str] | None = None,
) -> ShopPage:
    if not 1 <= first <= MAX_ITEMS:
        raise BadUserInput(
            f"`first` must be between 1 and {MAX_ITEMS}; got {first}.", argument="first"
        )
    state: list[Position] = [None] * len(plan.partitions)
    if after is not None:
        state = decode(codec, plan, after)
    index = plan.index
    sort_key = index.key.range_key or ""
    key_names = (*LISTINGS.key.attributes(), *index.key.attributes())
    reads = await asyncio.gather(
        *(
            _query(door, table, plan, partition, start, first, attributes)
            for partition, start in zip(plan.partitions, state, strict=True)
        )
    )
    items = [[from_wire(raw) for raw in raws] for raws, _, _ in reads]
    leks = [lek for _, lek, _ in reads]
    sign = 1 if plan.ascending else -1
    # No partition may be passed: one stopped early (a LastEvaluatedKey) may hold more
    # items up to its stop, so nothing past the nearest stop is returned.
    stops = [from_wire(lek)[sort_key] for lek in leks if lek]
    cut = (min if plan.ascending else max)(stops) if stops else None
    heads = [0] * len(items)
    order: list[int] = []  # the partition of each merged item, in order
    while len(order) <= first:
        best: int | None = None
        for n, read in enumerate(items):
            if heads[n] < len(read) and (
                best is None or _before(read[heads[n]], items[best][heads[best]], sort_key, sign)
            ):
                best = n
        if best is None:
            break
        value = items[best][heads[best]][sort_key]
        if cut is not None and (value > cut if sign > 0 else value < cut):
            break
        order.append(best)
        heads[best] += 1
    known_more = len(order) > first
    order = order[:first]
    taken = [0] * len(items)
    page: list[Item] = []
    states: list[list[Position]] = []
    for n in order:
        page.append(items[n][taken[n]])
        taken[n] += 1
        states.append(_state(state, items, leks, taken, key_names))
    end = _state(state, items, leks, taken, key_names)
    exhausted = all(pos == DONE for pos in end)
    cursors = _Cursors(codec, plan.fingerprint, states)
    end_cursor = None if exhausted else encode(codec, plan.fingerprint, end)
    return ShopPage(
        items=page,
        cursors=cursors,
        has_next_page=known_more,
        stop_cursor=end_cursor,
        complete=known_more or exhausted,
        index=index.name,
        items_read=sum(count for _, _, count in reads),
    )


def _before(a: Item, b: Item, sort_key: str, sign: int) -> bool:
    if a[sort_key] != b[sort_key]:
        return bool((a[sort_key] < b[sort_key]) == (sign > 0))
    return bool(a["listingId"] < b["listingId"])


def _state(
    start: list[Position],
    items: list[list[Item]],
    leks: list[dict[str, Any] | None],
    taken: list[int],
    key_names: Sequence[str],
) -> list[Position]:
    """Every partition's position once `taken[n]` of its items were returned."""
    out: list[Position] = []
    for n, read in enumerate(items):
        if start[n] == DONE:
            out.append(DONE)
        elif taken[n] == len(read):
            out.append(leks[n] or DONE)
        elif taken[n]:
            last = read[taken[n] - 1]
            out.append({name: _wire_key(last[name]) for name in dict.fromkeys(key_names)})
        else:
            out.append(start[n])
    return out


def _wire_key(value: Any) -> dict[str, str]:
    return {"S": value} if isinstance(value, str) else {"N": str(value)}


async def _query(
    door: Door,
    table: str,
    plan: Plan,
    partition: str,
    start: Position,
    first: int,
    attributes: Collection[str] | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, int]:
    """One partition's Query: its items (wire), LastEvaluatedKey, items read."""
    if start == DONE or not valid_key(partition):  # no item can have that key
        return [], None, 0
    key = plan.index.key
    names: dict[str, str] = {"#pk": key.hash_key}
    values: dict[str, Any] = {":pk": {"S": partition}}
    condition = "#pk = :pk"
    if plan.range_condition is not None and key.range_key is not None:
        names["#sk"] = key.range_key
        condition += f" AND {plan.range_condition[0]}"
        values.update(plan.range_condition[1])
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": plan.index.name,
        "KeyConditionExpression": condition,
        "ScanIndexForward": plan.ascending,
        "Limit": plan.limit(first),
    }
    if isinstance(start, dict):
        request["ExclusiveStartKey"] = start
    if plan.filters:
        request["FilterExpression"] = filter_expression(plan.filters, names, values)
    if attributes is not None:
        needed = (*LISTINGS.key.attributes(), *key.attributes())
        paths = projected_paths(attributes, needed, (c.path for c in plan.filters))
        request["ProjectionExpression"] = projection_expression(paths, names)
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = values
    # Read exactly `limit` items (or to the partition's end), in as many calls as
    # DynamoDB's 1 MB per Query needs: the page then depends on the items' order and the
    # filter, never on the size of their (private) attributes.
    limit = plan.limit(first)
    raws: list[dict[str, Any]] = []
    read = 0
    while True:
        request["Limit"] = limit - read
        response = await door.call("Query", **request)
        raws.extend(response.get("Items", []))
        read += int(response.get("ScannedCount", len(response.get("Items", []))))
        last: dict[str, Any] | None = response.get("LastEvaluatedKey")
        if not last or read >= limit:
            # What it read does not depend on the 1 MB cuts; each call read an item or
            # ended the partition.
            door.expect(read + 1, read - len(raws))
            return raws, last, read
        request["ExclusiveStartKey"] = last
