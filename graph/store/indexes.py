"""The shop's indexes: the sharded status partition ordered by creation or price, and
two sparse indexes per custom field a tenant declares `indexed` (docs/shop.md); the
listings table's spec with them, the one definition the dev stack and Terraform share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from graph.bounds import INDEXES_PER_FIELD, MAX_GSIS
from graph.store.tables import (
    HISTORY,
    LISTINGS,
    SELLERS,
    UPLOADS,
    AttrType,
    IndexSpec,
    KeySchema,
    TableSpec,
)

#: The listing's price amount as a number: the sort key of the price orders.
PRICE_KEY = "priceAmount"
#: The shop's orders on the sharded status partition: newest first, and by price (one
#: index serves both price directions). Written from the item on every listing write.
SHOP_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("shopNewest", KeySchema("statusShard", "createdAt")),
    IndexSpec("shopPrice", KeySchema("statusShard", PRICE_KEY)),
)


def key_text(value: Any) -> str | None:
    """A custom value as index key text: `10.5` for Decimal("10.50"), `true`, `GOOD`."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        number = Decimal(value).normalize()
        return format(number, "f")
    if isinstance(value, str):
        return value
    return None  # not an indexable scalar (the declaration check refuses those)


@dataclass(frozen=True)
class IndexedField:
    """A custom listing field declared `indexed = true`: two shop indexes of its own,
    partitioned by `<status>#<shard>#<value>` (attribute `shop_<name>`), so a filter on
    one value reads only matching listings. An item without a value (and no declared
    default) has no key attribute: the indexes are sparse where the field is optional.
    `default` is the key text of the declared default, if any."""

    name: str
    default: str | None = None

    @classmethod
    def of(cls, declared: Sequence[tuple[str, Any]]) -> tuple[IndexedField, ...]:
        """From the extension's (name, stored default) pairs (`TenantExtension.indexed`)."""
        return tuple(cls(name, key_text(default)) for name, default in declared)

    @property
    def attribute(self) -> str:
        return f"shop_{self.name}"

    def newest(self) -> IndexSpec:
        return IndexSpec(f"shop_{self.name}_newest", KeySchema(self.attribute, "createdAt"))

    def price(self) -> IndexSpec:
        return IndexSpec(f"shop_{self.name}_price", KeySchema(self.attribute, PRICE_KEY))


def max_indexed_fields() -> int:
    """How many custom fields a tenant may declare indexed within DynamoDB's 20 GSIs."""
    return (MAX_GSIS - len(LISTINGS.indexes) - len(SHOP_INDEXES)) // INDEXES_PER_FIELD


def listings_spec(indexed: Sequence[IndexedField] = ()) -> TableSpec:
    """The listings table of a tenant whose extension indexes `indexed`: LISTINGS, the
    shop's indexes and two per indexed field. The one definition the dev stack, tests
    and Terraform take the tenant's indexes from."""
    if len(indexed) > max_indexed_fields():
        raise ValueError(
            f"{len(indexed)} indexed fields need "
            f"{len(LISTINGS.indexes) + len(SHOP_INDEXES) + INDEXES_PER_FIELD * len(indexed)} "
            f"global secondary indexes; DynamoDB allows {MAX_GSIS} per table"
        )
    types: dict[str, AttrType] = {**LISTINGS.attribute_types, PRICE_KEY: "N"}
    field_indexes: list[IndexSpec] = []
    for one in indexed:
        types[one.attribute] = "S"
        field_indexes += [one.newest(), one.price()]
    return replace(
        LISTINGS,
        attribute_types=types,
        indexes=(*LISTINGS.indexes, *SHOP_INDEXES, *field_indexes),
    )


def tenant_table_specs(indexed: Sequence[IndexedField] = ()) -> tuple[TableSpec, ...]:
    """TABLE_SPECS of a tenant, with its listings table's shop indexes."""
    return (listings_spec(indexed), SELLERS, HISTORY, UPLOADS)
