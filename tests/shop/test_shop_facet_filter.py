"""`filter.facets`: the shop's indexed fields filtered by the names and value texts
`facets` reports, with one input type for every brand (the widget's shop document uses
it). It reads the same index, and finds the same listings, as the brand's typed `where`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import CallRecorder, Gateway
from tests.shop.test_shop_pages import SHARDS, _active, _walk

FACETS = """
query Shop($filter: ShopFilter, $where: KicksListingWhere) {
  shop(orderBy: PRICE_ASC, filter: $filter, where: $where, first: 5) {
    edges { node { id } }
    index
  }
}
"""


async def test_a_facet_filter_walks_what_the_typed_where_walks(gateway: Gateway) -> None:
    by_facet, pages = await _walk(
        gateway, "PRICE_ASC", 3, filter={"facets": [{"field": "size", "in": ["9", "10.5"]}]}
    )
    by_where, _ = await _walk(gateway, "PRICE_ASC", 3, where={"size": {"in": ["9", "10.5"]}})
    assert [n["id"] for n in by_facet] == [n["id"] for n in by_where]
    expected = _active(Decimal("9")) + _active(Decimal("10.5"))
    assert sorted(n["id"] for n in by_facet) == sorted(i["listingId"] for i in expected)
    assert {page["index"] for page in pages} == {"shop_size_price"}
    assert all(page["complete"] for page in pages)


@pytest.mark.parametrize("grade", ["VERIFIED", "PENDING", "UNVERIFIED"])
async def test_an_enum_facet_reads_its_index_as_the_typed_where_does(
    gateway: Gateway, calls: CallRecorder, grade: str
) -> None:
    """An enum value as its facet text: one Query per shard on the field's own index,
    the same page as `where` (PENDING is the field's default: listings without the field
    count as PENDING in both)."""
    calls.reset()
    wanted = {"facets": [{"field": "authenticityGrade", "in": [grade]}]}
    page = await gateway.gql(FACETS, {"filter": wanted})
    assert "errors" not in page, page
    assert calls.count("Query") == SHARDS
    typed = await gateway.gql(FACETS, {"where": {"authenticityGrade": {"in": [grade]}}})
    assert page["data"]["shop"]["index"] == "shop_authenticity_grade_price"
    assert page["data"]["shop"]["edges"] == typed["data"]["shop"]["edges"]
    assert page["data"]["shop"]["edges"], grade


@pytest.mark.parametrize(
    ("facets", "named"),
    [
        ([{"field": "colorway", "in": ["Bred"]}], "colorway"),  # filterable, not indexed
        ([{"field": "purchasePrice", "in": ["10"]}], "purchasePrice"),  # private
        ([{"field": "size", "in": ["ten"]}], "ten"),
        ([{"field": "authenticityGrade", "in": ["FORGED"]}], "FORGED"),
        ([{"field": "size", "in": []}], "size"),
        ([{"field": "size", "in": ["9"]}, {"field": "size", "in": ["10"]}], "size"),
    ],
)
async def test_a_bad_facet_filter_names_it_before_any_call(
    gateway: Gateway, calls: CallRecorder, facets: list[dict[str, Any]], named: str
) -> None:
    calls.reset()
    body = await gateway.gql(FACETS, {"filter": {"facets": facets}})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == "filter"
    assert error["extensions"]["field"] == "facets"
    assert named in error["message"]
    assert calls.operations == []


async def test_a_field_in_both_where_and_facets_is_refused(
    gateway: Gateway, calls: CallRecorder
) -> None:
    calls.reset()
    body = await gateway.gql(
        FACETS,
        {
            "filter": {"facets": [{"field": "size", "in": ["9"]}]},
            "where": {"size": {"eq": "10"}},
        },
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "size" in error["message"]
    assert calls.operations == []
