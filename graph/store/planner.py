"""The shop's planner: which index serves a page, from its order and filters.

Every order has an index on the sharded status partition (`shopNewest`, `shopPrice`);
an equality filter on a custom field declared `indexed` moves the page to that field's
own indexes, partitioned by value. What the chosen index cannot serve (a condition, a
price range under NEWEST, a field not indexed) becomes a FilterExpression: then the
page reads within a budget and may be partial (graph/store/shop.py).

Pure: no I/O. The plan names the index and the partitions it queries, one Query each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from graph.bounds import FILTERED_PAGE_MAX_CALLS, MAX_INDEXED_VALUES, STATUS_SHARDS
from graph.conditions import Condition
from graph.store.indexes import PRICE_KEY, SHOP_INDEXES, IndexedField, key_text
from graph.store.tables import IndexSpec

Order = Literal["NEWEST", "PRICE_ASC", "PRICE_DESC"]
ORDERS: tuple[Order, ...] = ("NEWEST", "PRICE_ASC", "PRICE_DESC")


@dataclass(frozen=True)
class ShopFilter:
    """What a shop page is narrowed to; values already in their stored form."""

    conditions: tuple[str, ...] = ()
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    #: (field, stored values): equality (any of the values) on custom fields.
    custom: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    #: Other custom-field conditions (ranges, fields not indexed).
    where: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Plan:
    index: IndexSpec
    #: One Query each, merged in order.
    partitions: tuple[str, ...]
    ascending: bool
    #: On the index's sort key: (expression on `#sk`, its values).
    range_condition: tuple[str, dict[str, Any]] | None
    #: What the index does not serve: a FilterExpression.
    filters: tuple[Condition, ...]
    #: Binds cursors to the status, order and filter set.
    fingerprint: str

    @property
    def served(self) -> bool:
        """True when the index alone selects the page: every item read is returned."""
        return not self.filters

    def limit(self, first: int) -> int:
        """Items each partition's Query may read."""
        if self.served:
            return first + 1
        # The read budget of a filtered page (graph/limits bounds its cost by it),
        # shared by its partitions.
        return max(1, FILTERED_PAGE_MAX_CALLS * (first + 1) // len(self.partitions))


def _fingerprint(status: str, order: Order, wanted: ShopFilter) -> str:
    canonical = json.dumps(
        [
            sorted(wanted.conditions),
            str(wanted.price_min),
            str(wanted.price_max),
            sorted((name, sorted(map(repr, values))) for name, values in wanted.custom),
            sorted(repr((c.path, c.operator, c.value, c.or_missing)) for c in wanted.where),
        ]
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return f"shop/{status}/{order}/{digest}"


def _price_range(wanted: ShopFilter) -> tuple[str, dict[str, Any]] | None:
    low, high = wanted.price_min, wanted.price_max
    if low is not None and high is not None:
        return "#sk BETWEEN :low AND :high", {":low": {"N": str(low)}, ":high": {"N": str(high)}}
    if low is not None:
        return "#sk >= :low", {":low": {"N": str(low)}}
    if high is not None:
        return "#sk <= :high", {":high": {"N": str(high)}}
    return None


def plan_shop(
    status: str, order: Order, wanted: ShopFilter, indexed: Sequence[IndexedField]
) -> Plan:
    by_price = order != "NEWEST"
    filters: list[Condition] = []
    if wanted.conditions:
        filters.append(Condition(("condition",), "IN", list(wanted.conditions)))
    fields = {field.name: field for field in indexed}
    chosen: tuple[IndexedField, tuple[str, ...]] | None = None
    for name, values in sorted(wanted.custom, key=lambda pair: len(pair[1])):
        texts = tuple(dict.fromkeys(t for t in map(key_text, values) if t is not None))
        field = fields.get(name)
        if chosen is None and field is not None and 1 <= len(texts) <= MAX_INDEXED_VALUES:
            chosen = (field, texts)
            continue
        default = field.default if field is not None else None
        filters.append(Condition(("custom", name), "IN", list(values), default in texts))
    filters.extend(wanted.where)
    range_condition = _price_range(wanted) if by_price else None
    if not by_price:
        if wanted.price_min is not None:
            filters.append(Condition((PRICE_KEY,), ">=", wanted.price_min))
        if wanted.price_max is not None:
            filters.append(Condition((PRICE_KEY,), "<=", wanted.price_max))
    shards = [f"{status}#{n}" for n in range(STATUS_SHARDS)]
    if chosen is None:
        index = SHOP_INDEXES[1] if by_price else SHOP_INDEXES[0]
        partitions = tuple(shards)
    else:
        field, texts = chosen
        index = field.price() if by_price else field.newest()
        partitions = tuple(f"{shard}#{text}" for text in texts for shard in shards)
    return Plan(
        index=index,
        partitions=partitions,
        ascending=order == "PRICE_ASC",
        range_condition=range_condition,
        filters=tuple(filters),
        fingerprint=_fingerprint(status, order, wanted),
    )
