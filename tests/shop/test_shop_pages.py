"""Query.shop on DynamoDB Local: every order and indexed filter is one Query per shard
(and one BatchGetItem for the sellers), pages walk the whole shop in order, and a
filter no index serves says when its page is partial."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from graph.local import demo
from tests.conftest import CallRecorder, Gateway

SHARDS = 4
PAGE = """
query Shop($order: ShopOrder, $filter: ShopFilter, $where: KicksListingWhere,
           $first: Int, $after: String) {
  shop(orderBy: $order, filter: $filter, where: $where, first: $first, after: $after) {
    edges { cursor node { id createdAt price { amount } seller { id } custom { size } } }
    pageInfo { hasNextPage endCursor }
    complete
    index
  }
}
"""


def _active(size: Decimal | None = None, conditions: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    items = demo.dataset("kicks", "kicks")["listings"]
    return [
        item
        for item in items
        if item["status"] == "ACTIVE"
        and (size is None or item.get("custom", {}).get("size") == size)
        and (not conditions or item["condition"] in conditions)
    ]


def _key(order: str, item: dict[str, Any]) -> Any:
    if order == "NEWEST":
        return item["createdAt"]
    return Decimal(str(item["price"]["amount"]))


async def _walk(
    gateway: Gateway, order: str, first: int, **variables: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page of the shop, following endCursor until nothing is left to read."""
    nodes: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    after = None
    for _ in range(500):
        body = await gateway.gql(
            PAGE, {"order": order, "first": first, "after": after, **variables}
        )
        assert "errors" not in body, body
        shop = body["data"]["shop"]
        pages.append(shop)
        nodes += [edge["node"] for edge in shop["edges"]]
        more = shop["pageInfo"]["hasNextPage"] or not shop["complete"]
        if not more:
            return nodes, pages
        after = shop["pageInfo"]["endCursor"]
    raise AssertionError("the shop never ended")


@pytest.mark.parametrize(
    ("order", "index"),
    [("NEWEST", "shopNewest"), ("PRICE_ASC", "shopPrice"), ("PRICE_DESC", "shopPrice")],
)
async def test_each_order_is_one_query_per_shard_and_one_batch_get(
    gateway: Gateway, calls: CallRecorder, order: str, index: str
) -> None:
    # A write key: the plan's itemsRead grows with private fields, so only it sees it.
    response = await gateway.post(PAGE, {"order": order, "first": 24}, scope="write")
    body = response.json()
    assert "errors" not in body, body
    assert sorted(calls.operations) == ["BatchGetItem"] + ["Query"] * SHARDS
    assert {r.get("IndexName") for r in calls.requests if "KeyConditionExpression" in r} == {index}
    shop = body["data"]["shop"]
    assert shop["index"] == index
    assert shop["complete"] is True
    assert shop["pageInfo"]["hasNextPage"] is True
    (plan,) = body["extensions"]["cost"]["plans"]
    assert plan["index"] == index
    assert plan["served"] is True
    assert plan["itemsReturned"] == 24
    assert plan["itemsRead"] <= SHARDS * 25
    expected = sorted(_active(), key=lambda i: _key(order, i), reverse=order != "PRICE_ASC")
    got = [_key(order, edge["node"]) for edge in shop["edges"]]
    if order == "NEWEST":
        got = [n["node"]["createdAt"] for n in shop["edges"]]
        assert got == sorted(got, reverse=True)
        assert [n["node"]["id"] for n in shop["edges"]] == [i["listingId"] for i in expected[:24]]
    else:
        assert got == [_key(order, i) for i in expected[:24]]
    assert all(edge["node"]["seller"]["id"] for edge in shop["edges"])


@pytest.mark.parametrize(
    ("order", "index"),
    [
        ("NEWEST", "shop_size_newest"),
        ("PRICE_ASC", "shop_size_price"),
        ("PRICE_DESC", "shop_size_price"),
    ],
)
async def test_an_indexed_filter_is_one_query_per_shard_too(
    gateway: Gateway, calls: CallRecorder, order: str, index: str
) -> None:
    size = Decimal("10.5")
    body = await gateway.gql(
        PAGE, {"order": order, "first": 5, "where": {"size": {"eq": 10.5}}}, scope="write"
    )
    assert "errors" not in body, body
    assert sorted(calls.operations) == ["BatchGetItem"] + ["Query"] * SHARDS
    assert all("FilterExpression" not in r for r in calls.requests)
    shop = body["data"]["shop"]
    assert shop["index"] == index
    assert shop["complete"] is True
    assert {Decimal(str(e["node"]["custom"]["size"])) for e in shop["edges"]} == {size}
    (plan,) = body["extensions"]["cost"]["plans"]
    assert plan["served"] is True
    assert plan["itemsRead"] <= SHARDS * 6


@pytest.mark.parametrize("order", ["NEWEST", "PRICE_ASC", "PRICE_DESC"])
async def test_pages_walk_every_listing_once_in_order(gateway: Gateway, order: str) -> None:
    nodes, pages = await _walk(gateway, order, 37)
    expected = _active()
    assert sorted(n["id"] for n in nodes) == sorted(i["listingId"] for i in expected)
    keys = [n["createdAt"] if order == "NEWEST" else Decimal(n["price"]["amount"]) for n in nodes]
    assert keys == sorted(keys, reverse=order != "PRICE_ASC")
    assert all(page["complete"] for page in pages)
    assert pages[-1]["pageInfo"]["hasNextPage"] is False


async def test_an_indexed_filter_walks_exactly_its_listings(gateway: Gateway) -> None:
    nodes, pages = await _walk(gateway, "PRICE_ASC", 3, where={"size": {"in": ["9", "10.5"]}})
    expected = _active(Decimal("9")) + _active(Decimal("10.5"))
    assert sorted(n["id"] for n in nodes) == sorted(i["listingId"] for i in expected)
    prices = [Decimal(n["price"]["amount"]) for n in nodes]
    assert prices == sorted(prices)
    assert all(page["complete"] for page in pages)
    assert {page["index"] for page in pages} == {"shop_size_price"}


async def test_a_filter_no_index_serves_says_its_page_is_partial(
    gateway: Gateway, calls: CallRecorder
) -> None:
    nodes, pages = await _walk(gateway, "NEWEST", 2, filter={"condition": ["FAIR"]})
    expected = _active(conditions=("FAIR",))
    assert sorted(n["id"] for n in nodes) == sorted(i["listingId"] for i in expected)
    created = [n["createdAt"] for n in nodes]
    assert created == sorted(created, reverse=True)
    partial = [page for page in pages if not page["complete"]]
    assert partial, "a sparse filter with a small budget must leave some page partial"
    for page in partial:  # never claims a next page it does not know of
        assert page["pageInfo"]["hasNextPage"] is False
        assert page["pageInfo"]["endCursor"]
    # Each page stays within one Query per shard (a shard read to its end is not read again).
    assert len(pages) <= calls.count("Query") <= SHARDS * len(pages)
    assert calls.count("Scan") == 0
