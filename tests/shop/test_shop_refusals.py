"""Bad shop arguments: each a coded error naming the argument, before any DynamoDB call."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CallRecorder, Gateway

#: Variable coercion errors are BAD_USER_INPUT, document errors GRAPHQL_VALIDATION_FAILED.
REFUSED = {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}
SHOP = """
query Shop($order: ShopOrder, $filter: ShopFilter, $where: KicksListingWhere,
           $first: Int, $after: String) {
  shop(orderBy: $order, filter: $filter, where: $where, first: $first, after: $after) {
    edges { node { id } }
    pageInfo { hasNextPage endCursor }
    complete
  }
}
"""


async def _refused(
    gateway: Gateway, calls: CallRecorder, variables: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    calls.reset()
    body = await gateway.gql(SHOP, variables, **kw)
    assert body.get("data") in (None, {"shop": None}), body
    (error,) = body["errors"]
    assert calls.operations == [], "refused before any DynamoDB call"
    return dict(error)


async def test_an_unknown_order_names_the_argument(gateway: Gateway, calls: CallRecorder) -> None:
    error = await _refused(gateway, calls, {"order": "CHEAPEST"})
    assert error["extensions"]["code"] in REFUSED
    assert "$order" in error["message"]
    assert "CHEAPEST" in error["message"]


async def test_an_unknown_filter_names_it(gateway: Gateway, calls: CallRecorder) -> None:
    error = await _refused(gateway, calls, {"filter": {"colour": ["RED"]}})
    assert error["extensions"]["code"] in REFUSED
    assert "$filter" in error["message"]
    assert "colour" in error["message"]
    error = await _refused(gateway, calls, {"where": {"colorway": {"eq": "Bred"}}})
    assert error["extensions"]["code"] in REFUSED
    assert "$where" in error["message"]
    assert "colorway" in error["message"]


@pytest.mark.parametrize(
    ("price", "field"),
    [({"min": "200", "max": "100"}, "price"), ({"min": "-1"}, "price.min")],
)
async def test_a_bad_price_range_names_it(
    gateway: Gateway, calls: CallRecorder, price: dict[str, str], field: str
) -> None:
    error = await _refused(gateway, calls, {"filter": {"price": price}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "filter"
    assert error["extensions"]["field"] == field


async def test_a_private_field_is_no_filter_for_a_read_key(
    gateway: Gateway, calls: CallRecorder
) -> None:
    query = "{ shop(where: {purchasePrice: {eq: 10}}) { edges { node { id } } } }"
    calls.reset()
    body = await gateway.gql(query, {})
    (error,) = body["errors"]
    assert error["extensions"]["code"] in REFUSED
    assert "purchasePrice" in error["message"]
    assert "purchase" not in str(body.get("data"))
    assert calls.operations == []


async def test_a_thousand_filter_values_are_refused(gateway: Gateway, calls: CallRecorder) -> None:
    sizes = [str(3 + n / 100) for n in range(1000)]
    error = await _refused(gateway, calls, {"where": {"size": {"in": sizes}}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "where"
    conditions = ["GOOD"] * 1000
    error = await _refused(gateway, calls, {"filter": {"condition": conditions}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "filter"


async def test_a_cursor_only_continues_its_own_order_and_filter(
    gateway: Gateway, calls: CallRecorder
) -> None:
    body = await gateway.gql(SHOP, {"order": "PRICE_ASC", "first": 2})
    cursor = body["data"]["shop"]["pageInfo"]["endCursor"]
    assert cursor
    for other in (
        {"order": "PRICE_DESC"},
        {"order": "NEWEST"},
        {"order": "PRICE_ASC", "filter": {"condition": ["GOOD"]}},
        {"order": "PRICE_ASC", "where": {"size": {"eq": "10"}}},
        {"order": "PRICE_ASC", "filter": {"price": {"min": "1"}}},
    ):
        error = await _refused(gateway, calls, {**other, "first": 2, "after": cursor})
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["argument"] == "after"
    # Nor does a product page's cursor, nor a forged one.
    page = await gateway.gql(
        '{ productListings(productId: "prd-001", first: 1) { pageInfo { endCursor } } }'
    )
    foreign = page["data"]["productListings"]["pageInfo"]["endCursor"]
    for bad in (foreign, cursor[:-2] + "AA", "not-a-cursor"):
        error = await _refused(gateway, calls, {"order": "PRICE_ASC", "first": 2, "after": bad})
        assert error["extensions"]["argument"] == "after"
    # The same order and filter continue.
    calls.reset()
    body = await gateway.gql(SHOP, {"order": "PRICE_ASC", "first": 2, "after": cursor})
    assert "errors" not in body
    assert len(body["data"]["shop"]["edges"]) == 2


async def test_another_tenants_cursor_is_refused(
    ddb: Any, settings: Any, calls: CallRecorder
) -> None:
    from graph.store import delete_tables
    from tests.conftest import make_gateway

    gw, tenants = await make_gateway(ddb, settings, ("kicks", "threads"))
    try:
        query = SHOP.replace("$where: KicksListingWhere,", "")
        query = query.replace("where: $where, ", "")
        body = await gw.gql(query, {"first": 1}, tenant="threads")
        cursor = body["data"]["shop"]["pageInfo"]["endCursor"]
        calls.reset()
        refused = await gw.gql(query, {"first": 1, "after": cursor}, tenant="kicks")
        assert refused["errors"][0]["extensions"]["argument"] == "after"
        assert calls.operations == []
    finally:
        await gw.http.aclose()
        for tenant in tenants:
            await delete_tables(ddb, tenant.tables)


async def test_a_filter_on_an_index_the_table_lacks_is_index_not_ready(
    ddb: Any, settings: Any, calls: CallRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    """A field declared `indexed` before its indexes were deployed: the table is made
    without them, as an existing table is. Its filter is a coded error naming the index;
    the orders served by the table's own indexes still work."""
    from graph.local import demo
    from graph.store import create_tables, put_items, with_shop_attributes
    from tests.conftest import open_gateway

    async with open_gateway(ddb, settings) as gw:
        listings = gw.tenants["kicks"].tables.listings
        await ddb.delete_table(TableName=listings)
        await ddb.get_waiter("table_not_exists").wait(
            TableName=listings, WaiterConfig={"Delay": 0.1}
        )
        await create_tables(ddb, gw.tenants["kicks"].tables)  # no field's indexes
        items = demo.dataset("kicks")["listings"]
        await put_items(ddb, listings, [with_shop_attributes(i, ()) for i in items])
        described = await ddb.describe_table(TableName=listings)
        present = {i["IndexName"] for i in described["Table"]["GlobalSecondaryIndexes"]}
        assert "shop_size_price" not in present
        assert "shopPrice" in present

        calls.reset()
        response = await gw.post(SHOP, {"order": "PRICE_ASC", "where": {"size": {"eq": "10"}}})
        body = response.json()
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "INDEX_NOT_READY", error
        assert error["extensions"]["index"] == "shop_size_price"
        assert "shop_size_price" in error["message"]
        assert listings not in response.text  # no table name reaches the client
        assert calls.count("Query") >= 1  # it was DynamoDB's answer, not a guess
        assert any("shop_size_price" in r.getMessage() for r in caplog.records)

        body = await gw.gql(SHOP, {"order": "PRICE_ASC", "first": 3})
        assert "errors" not in body, body
        assert len(body["data"]["shop"]["edges"]) == 3
