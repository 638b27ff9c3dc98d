"""Reads with a projection (issue 15's ProjectionExpression, prepared in the store).

Over DynamoDB Local: the exact ProjectionExpression each read sends (recorded by a
botocore `before-parameter-build` hook: the calls still go to DynamoDB Local), and that
only the projected attributes come back. Without `attributes` nothing changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from graph.conditions import Condition
from graph.store import CursorCodec, TenantStore
from tests.conftest import CallRecorder, Gateway


@pytest.fixture
def store(gateway: Gateway, ddb: Any) -> TenantStore:
    return TenantStore(ddb, gateway.tenants["kicks"].tables, CursorCodec(b"test", "kicks"))


def _only(calls: CallRecorder, operation: str) -> dict[str, Any]:
    """The one request of `operation` sent (a filtered page may send several Queries:
    then every one must project the same way, and the first is returned)."""
    sent = [r for op, r in zip(calls.operations, calls.requests, strict=True) if op == operation]
    assert sent, f"expected a {operation}, got {calls.operations}"
    assert set(calls.operations) == {operation}, calls.operations
    if operation != "Query":
        assert len(sent) == 1, f"expected one {operation}, got {calls.operations}"
    projections = {r.get("ProjectionExpression") for r in sent}
    names = {tuple(sorted(r.get("ExpressionAttributeNames", {}).items())) for r in sent}
    assert len(projections) == 1, projections
    assert len(names) == 1, names
    return sent[0]


async def test_product_page_reads_only_the_selected_attributes_and_its_keys(
    store: TenantStore, calls: CallRecorder
) -> None:
    page = await store.listings.by_product(
        "prd-001", first=5, after=None, status="ACTIVE", attributes={"title", "price"}
    )
    request = _only(calls, "Query")
    # The selection, the cursor's keys (table and byProduct index) and the filtered status.
    assert request["ProjectionExpression"] == "#p0, #p1, #p2, #p3, #p4, #p5"
    assert {k: v for k, v in request["ExpressionAttributeNames"].items() if k[2:].isdigit()} == {
        "#p0": "createdAt",
        "#p1": "listingId",
        "#p2": "price",
        "#p3": "productId",
        "#p4": "title",
        "#p5": "status",
    }
    assert len(page.items) == 5
    for item in page.items:
        assert set(item) == {"createdAt", "listingId", "price", "productId", "title", "status"}
        assert item["status"] == "ACTIVE"
        assert item["productId"] == "prd-001"
    # The cursors hold the keys, so the next page continues where this one ended.
    calls.reset()
    following = await store.listings.by_product(
        "prd-001", first=5, after=page.end_cursor, status="ACTIVE", attributes={"title", "price"}
    )
    assert _only(calls, "Query")["ProjectionExpression"] == request["ProjectionExpression"]
    assert following.items
    assert not {i["listingId"] for i in following.items} & {i["listingId"] for i in page.items}


async def test_a_filtered_custom_field_is_read_as_a_nested_path(
    store: TenantStore, calls: CallRecorder
) -> None:
    where = [Condition(("custom", "size"), ">=", Decimal(10))]
    page = await store.listings.by_seller(
        "sel-001", first=3, after=None, status=None, where=where, attributes={"title"}
    )
    request = _only(calls, "Query")
    assert request["ProjectionExpression"] == "#p0, #p1, #p2, #p3, #p4.#p5"
    names = request["ExpressionAttributeNames"]
    assert [names[f"#p{n}"] for n in range(6)] == [
        "createdAt",
        "listingId",
        "sellerId",
        "title",
        "custom",
        "size",
    ]
    assert page.items
    for item in page.items:
        assert set(item) == {"createdAt", "listingId", "sellerId", "title", "custom"}
        assert set(item["custom"]) == {"size"}
        assert item["custom"]["size"] >= 10


async def test_a_selected_map_is_not_read_twice(store: TenantStore, calls: CallRecorder) -> None:
    """`custom` and `custom.size` overlap (DynamoDB refuses both): the whole map is read."""
    where = [Condition(("custom", "size"), ">=", Decimal(10))]
    page = await store.listings.by_seller(
        "sel-001", first=3, after=None, status=None, where=where, attributes={"custom"}
    )
    assert _only(calls, "Query")["ProjectionExpression"] == "#p0, #p1, #p2, #p3"
    assert page.items
    assert all(len(item["custom"]) > 1 for item in page.items)


async def test_batch_get_and_get_item_project(store: TenantStore, calls: CallRecorder) -> None:
    found = await store.listings.get_many(["lst-0001", "lst-0002", "missing"], attributes={"title"})
    request = _only(calls, "BatchGetItem")
    (table_request,) = request["RequestItems"].values()
    assert table_request["ProjectionExpression"] == "#p0, #p1"
    assert table_request["ExpressionAttributeNames"] == {"#p0": "listingId", "#p1": "title"}
    assert sorted(found) == ["lst-0001", "lst-0002"]
    assert all(set(item) == {"listingId", "title"} for item in found.values())

    calls.reset()
    seller = await store.sellers.get("sel-001", attributes={"displayName", "rating"})
    request = _only(calls, "GetItem")
    assert request["ProjectionExpression"] == "#p0, #p1, #p2"
    assert request["ExpressionAttributeNames"] == {
        "#p0": "displayName",
        "#p1": "rating",
        "#p2": "sellerId",
    }
    assert seller == {"sellerId": "sel-001", "displayName": "Avery A.", "rating": Decimal("4.5")}


async def test_without_attributes_the_reads_are_unchanged(
    store: TenantStore, calls: CallRecorder
) -> None:
    page = await store.listings.by_product("prd-001", first=2, after=None, status=None)
    found = await store.listings.get_many(["lst-0001"])
    one = await store.sellers.get("sel-001")
    for request in calls.requests:
        assert "ProjectionExpression" not in request
        for table_request in request.get("RequestItems", {}).values():
            assert "ProjectionExpression" not in table_request
    assert {"images", "description", "custom"} <= set(page.items[0])
    assert {"images", "description", "custom"} <= set(found["lst-0001"])
    assert one is not None
    assert {"location", "joinedAt", "custom"} <= set(one)
