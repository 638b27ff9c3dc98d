"""The shop's planner (pure): which index and partitions serve a page, what is left to a
FilterExpression, and the key attributes a listing write derives."""

from __future__ import annotations

from decimal import Decimal

from graph.conditions import Condition
from graph.store import (
    IndexedField,
    ShopFilter,
    facet_values,
    key_text,
    plan_shop,
    with_shop_attributes,
)

SIZE = IndexedField("size")
GRADE = IndexedField("grade", "PENDING")


def test_each_order_has_its_index_on_every_shard() -> None:
    newest = plan_shop("ACTIVE", "NEWEST", ShopFilter(), [SIZE])
    assert newest.index.name == "shopNewest"
    assert newest.partitions == ("ACTIVE#0", "ACTIVE#1", "ACTIVE#2", "ACTIVE#3")
    assert newest.served
    assert newest.limit(24) == 25
    cheap = plan_shop("ACTIVE", "PRICE_ASC", ShopFilter(), [SIZE])
    dear = plan_shop("ACTIVE", "PRICE_DESC", ShopFilter(), [SIZE])
    assert cheap.index.name == dear.index.name == "shopPrice"
    assert cheap.ascending
    assert not dear.ascending
    assert cheap.fingerprint != dear.fingerprint != newest.fingerprint


def test_an_indexed_value_moves_the_page_to_its_field_index() -> None:
    wanted = ShopFilter(custom=(("size", (Decimal("10.50"),)),), price_max=Decimal(200))
    chosen = plan_shop("ACTIVE", "PRICE_ASC", wanted, [SIZE])
    assert chosen.index.name == "shop_size_price"
    assert chosen.partitions == tuple(f"ACTIVE#{n}#10.5" for n in range(4))
    assert chosen.range_condition == ("#sk <= :high", {":high": {"N": "200"}})
    assert chosen.served
    two = plan_shop("SOLD", "NEWEST", ShopFilter(custom=(("size", (9, Decimal(10))),)), [SIZE])
    assert two.index.name == "shop_size_newest"
    assert len(two.partitions) == 8
    assert two.partitions[0] == "SOLD#0#9"


def test_what_no_index_serves_is_a_filter_within_the_read_budget() -> None:
    wanted = ShopFilter(
        conditions=("GOOD",),
        price_min=Decimal(10),
        custom=(("size", (Decimal(9),)), ("grade", ("PENDING",))),
    )
    chosen = plan_shop("ACTIVE", "NEWEST", wanted, [SIZE])  # grade not indexed here
    assert chosen.index.name == "shop_size_newest"
    assert not chosen.served
    paths = {c.path for c in chosen.filters}
    assert paths == {("condition",), ("custom", "grade"), ("priceAmount",)}
    assert chosen.limit(24) == 10 * 25 // 4
    # A default value matches listings without the field too.
    with_default = plan_shop("ACTIVE", "NEWEST", wanted, [SIZE, GRADE])
    assert with_default.index.name == "shop_size_newest"  # the first with fewest values
    (grade,) = [c for c in with_default.filters if c.path == ("custom", "grade")]
    assert grade == Condition(("custom", "grade"), "IN", ["PENDING"], True)


def test_a_filter_set_binds_the_cursor() -> None:
    a = plan_shop("ACTIVE", "NEWEST", ShopFilter(conditions=("GOOD",)), [])
    b = plan_shop("ACTIVE", "NEWEST", ShopFilter(conditions=("FAIR",)), [])
    c = plan_shop("DRAFT", "NEWEST", ShopFilter(conditions=("GOOD",)), [])
    assert len({a.fingerprint, b.fingerprint, c.fingerprint}) == 3
    assert (
        a.fingerprint
        == plan_shop("ACTIVE", "NEWEST", ShopFilter(conditions=("GOOD",)), []).fingerprint
    )


def test_key_attributes_and_facets_of_a_listing() -> None:
    item = {
        "listingId": "lst-1",
        "status": "ACTIVE",
        "condition": "GOOD",
        "price": {"amount": Decimal("99.90"), "currency": "USD"},
        "custom": {"size": Decimal("10.50")},
    }
    keyed = with_shop_attributes(item, [SIZE, GRADE])
    shard = keyed["statusShard"]
    assert keyed["priceAmount"] == Decimal("99.90")
    assert keyed["shop_size"] == f"{shard}#10.5"
    assert keyed["shop_grade"] == f"{shard}#PENDING"  # the default keys it
    sparse = with_shop_attributes({**item, "custom": {}}, [SIZE])
    assert "shop_size" not in sparse  # no value: not in the size indexes
    assert facet_values(item, [SIZE, GRADE]) == ["condition#GOOD", "size#10.5", "grade#PENDING"]
    assert [key_text(v) for v in (Decimal("1E+2"), 7, True, "X")] == ["100", "7", "true", "X"]
