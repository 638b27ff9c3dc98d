"""The shop's key attributes of a listing, derived from the item on every write, and the
facet values the stream consumer counts (graph/store/facets.py).

`priceAmount` (the price as a number) sorts the price indexes; `shop_<field>` =
`<status>#<shard>#<value>` partitions an indexed field's indexes. Both come from the
item alone, so a write, the demo loader and the consumer agree on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from graph.bounds import CONDITION_FACET
from graph.store.indexes import PRICE_KEY, IndexedField, key_text
from graph.store.tables import status_shard


def field_value(item: Mapping[str, Any], field: IndexedField) -> str | None:
    """The key text of an indexed field on `item`, its declared default when missing."""
    custom = item.get("custom")
    value = custom.get(field.name) if isinstance(custom, Mapping) else None
    text = key_text(value)
    return field.default if text is None else text


def price_amount(item: Mapping[str, Any]) -> Decimal | None:
    price = item.get("price")
    if isinstance(price, Mapping) and price.get("amount") is not None:
        return Decimal(str(price["amount"]))
    return None


def shop_attributes(item: Mapping[str, Any], indexed: Sequence[IndexedField]) -> dict[str, Any]:
    """The shop's key attributes of a whole listing; None for one the item must not
    have (a missing field value: the item stays out of that field's sparse indexes)."""
    shard = status_shard(str(item["status"]), str(item["listingId"]))
    out: dict[str, Any] = {"statusShard": shard, PRICE_KEY: price_amount(item)}
    for field in indexed:
        value = field_value(item, field)
        out[field.attribute] = None if value is None else f"{shard}#{value}"
    return out


def with_shop_attributes(
    item: Mapping[str, Any], indexed: Sequence[IndexedField]
) -> dict[str, Any]:
    """`item` with its shop key attributes (for bulk loads: demo data, benchmarks)."""
    full = {**item, **shop_attributes(item, indexed)}
    return {name: value for name, value in full.items() if value is not None}


def facet_values(item: Mapping[str, Any], indexed: Sequence[IndexedField]) -> list[str]:
    """The facet counters a listing adds to its status: `condition#GOOD`, `size#10.5`."""
    if not item:
        return []
    out = []
    condition = item.get("condition")
    if isinstance(condition, str):
        out.append(f"{CONDITION_FACET}#{condition}")
    for field in indexed:
        value = field_value(item, field)
        if value is not None:
            out.append(f"{field.name}#{value}")
    return out
