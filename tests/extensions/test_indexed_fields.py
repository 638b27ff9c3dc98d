"""`indexed = true`: which fields may be indexed, how many, and what
`graph extensions check` says each costs; the tables come from the same declaration."""

from __future__ import annotations

from typing import Any

import pytest

from graph.bounds import LISTINGS_OWN_INDEXES, MAX_GSIS, MAX_INDEXED_FIELDS
from graph.extensions import ExtensionError, indexed_fields
from graph.extensions.parser import parse_spec
from graph.extensions.report import index_costs
from graph.store import LISTINGS, SHOP_INDEXES, IndexedField, listings_spec, max_indexed_fields

SOURCE = "tenants/extensions/acme.toml"


def _spec(listing: dict[str, Any], seller: dict[str, Any] | None = None) -> Any:
    return parse_spec({"listing": {"fields": listing}, "seller": {"fields": seller or {}}}, SOURCE)


def _problems(listing: dict[str, Any], seller: dict[str, Any] | None = None) -> str:
    with pytest.raises(ExtensionError) as raised:
        _spec(listing, seller)
    return str(raised.value)


def test_the_bounds_match_the_table_specs() -> None:
    assert len(LISTINGS.indexes) + len(SHOP_INDEXES) == LISTINGS_OWN_INDEXES
    assert max_indexed_fields() == MAX_INDEXED_FIELDS


@pytest.mark.parametrize(
    ("field", "says"),
    [
        ({"type": "Float", "filterable": True, "indexed": True}, "can be `indexed`"),
        ({"type": "DateTime", "filterable": True, "indexed": True}, "can be `indexed`"),
        ({"type": "Decimal", "indexed": True}, "set `filterable = true`"),
        ({"type": "String", "filterable": True, "indexed": True}, "needs `max_length`"),
        (
            {"type": "String", "filterable": True, "indexed": True, "max_length": 500},
            "needs `max_length`",
        ),
    ],
)
def test_only_exact_scalar_filterable_fields_can_be_indexed(
    field: dict[str, Any], says: str
) -> None:
    assert says in _problems({"f": field})


def test_seller_fields_and_the_condition_facet_cannot_be_indexed() -> None:
    indexed = {"type": "enum", "values": ["A"], "filterable": True, "indexed": True}
    assert "seller.fields.tier.indexed" in _problems({}, {"tier": indexed})
    assert "listing.fields.condition.indexed" in _problems({"condition": indexed})


def test_more_indexed_fields_than_dynamodb_holds_are_refused() -> None:
    field = {"type": "Int", "filterable": True, "indexed": True}
    fields = {f"f{n}": field for n in range(MAX_INDEXED_FIELDS + 1)}
    message = _problems(fields)
    assert f"DynamoDB allows {MAX_GSIS}" in message
    assert f"at most {MAX_INDEXED_FIELDS}" in message
    _spec({f"f{n}": field for n in range(MAX_INDEXED_FIELDS)})  # the most allowed


def test_the_declaration_makes_the_indexes() -> None:
    spec = _spec(
        {
            "size": {"type": "Decimal", "filterable": True, "indexed": True},
            "grade": {
                "type": "enum",
                "values": ["A", "B"],
                "default": "B",
                "filterable": True,
                "indexed": True,
            },
            "colour": {"type": "String", "filterable": True},
        }
    )
    fields = IndexedField.of(indexed_fields(spec))
    assert fields == (IndexedField("size"), IndexedField("grade", "B"))
    table = listings_spec(fields)
    names = [index.name for index in table.indexes]
    assert names == [
        "bySeller",
        "byProduct",
        "byStatus",
        "shopNewest",
        "shopPrice",
        "shop_size_newest",
        "shop_size_price",
        "shop_grade_newest",
        "shop_grade_price",
    ]
    request = table.create_table_request("t-listings")
    types = {d["AttributeName"]: d["AttributeType"] for d in request["AttributeDefinitions"]}
    assert types["priceAmount"] == "N"
    assert types["shop_size"] == types["shop_grade"] == "S"
    costs = {c["field"]: c["message"] for c in index_costs(spec)}
    assert set(costs) == {"listing.fields.size", "listing.fields.grade"}
    assert "2 more index writes" in costs["listing.fields.size"]
    assert "sparse" in costs["listing.fields.size"]
    assert "sparse" not in costs["listing.fields.grade"]  # its default keys every listing
    assert f"uses 9 of DynamoDB's {MAX_GSIS}" in costs["listing.fields.grade"]


def test_too_many_indexes_never_reach_create_table() -> None:
    with pytest.raises(ValueError, match="DynamoDB allows 20"):
        listings_spec([IndexedField(f"f{n}") for n in range(MAX_INDEXED_FIELDS + 1)])
