"""A query reads only the attributes it selects (graph/execution/projection.py): the
ProjectionExpression of every DynamoDB call of the README's product page is pinned,
over DynamoDB Local."""

from __future__ import annotations

from typing import Any

from tests.conftest import CallRecorder, Gateway

PRODUCT_PAGE = (
    '{ productListings(productId: "prd-001", first: 2) { edges { node { id title '
    "price { amount currency } seller { displayName } } } pageInfo { hasNextPage endCursor } } }"
)


def projected(request: dict[str, Any]) -> set[str] | None:
    """The top-level attributes a request's ProjectionExpression names (None: whole items)."""
    keys_and_attributes = next(iter(request.get("RequestItems", {}).values()), request)
    expression = keys_and_attributes.get("ProjectionExpression")
    if expression is None:
        return None
    names = keys_and_attributes.get("ExpressionAttributeNames", {})
    return {names[path.strip().split(".")[0]] for path in expression.split(",")}


async def test_the_product_page_reads_only_what_it_shows(
    gateway: Gateway, calls: CallRecorder
) -> None:
    calls.reset()
    body = await gateway.gql(PRODUCT_PAGE)
    assert "errors" not in body, body
    edges = body["data"]["productListings"]["edges"]
    assert len(edges) == 2
    assert all(edge["node"]["seller"]["displayName"] for edge in edges)
    assert calls.operations == ["Query", "BatchGetItem"]
    query, batch = calls.requests
    # Selected (id, title, price, seller's id), plus the keys the cursors are made of.
    assert projected(query) == {"listingId", "title", "price", "sellerId", "productId", "createdAt"}
    assert projected(batch) == {"sellerId", "displayName"}


async def test_fields_read_elsewhere_in_the_document_are_read_for_every_item(
    gateway: Gateway, calls: CallRecorder
) -> None:
    # One loader cache per request: the listing loaded by id is the page's primed item,
    # so the page reads what both selections need.
    document = (
        '{ productListings(productId: "prd-001", first: 1) { edges { node { id } } } '
        'listing(id: "lst-0001") { status description } }'
    )
    calls.reset()
    body = await gateway.gql(document)
    assert "errors" not in body, body
    selected = {"listingId", "status", "description"}  # by both selections of a Listing
    assert calls.operations == ["Query", "BatchGetItem"]
    page, by_id = calls.requests
    assert projected(page) == selected | {"productId", "createdAt"}  # + the cursor's keys
    assert projected(by_id) == selected


async def test_mutations_and_unknown_fields_read_whole_items(
    gateway: Gateway, calls: CallRecorder
) -> None:
    calls.reset()
    # `custom`: a brand's computed field may read any attribute of the item.
    body = await gateway.gql('{ listing(id: "lst-0001") { __typename id custom { __typename } } }')
    assert "errors" not in body, body
    assert projected(calls.requests[0]) is None
    calls.reset()
    body = await gateway.gql(
        'mutation { setListingStatus(id: "lst-0001", status: RESERVED) '
        "{ listing { status } userErrors { code } } }",
        scope="write",
    )
    assert body["data"]["setListingStatus"] == {"listing": {"status": "RESERVED"}, "userErrors": []}
    assert calls.requests
    assert all(projected(request) is None for request in calls.requests)
