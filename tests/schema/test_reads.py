"""Reads: listings by id, sellers, product pages; batching proven by call counts."""

from __future__ import annotations

from typing import Any

from graph.local import demo
from graph.store import delete_tables
from tests.conftest import CallRecorder, Gateway, make_gateway
from tests.store.test_faults import own_client

PAGE_WITH_SELLERS = """
query($first: Int!) {
  productListings(productId: "prd-001", first: $first) {
    edges { cursor node { id title seller { displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
BY_IDS = "query($ids: [ID!]!) { listings(ids: $ids) { id title seller { displayName } } }"


def expected_product_listings(product_id: str, tenant: str = "kicks") -> list[dict[str, Any]]:
    items = [i for i in demo.dataset(tenant)["listings"] if i["productId"] == product_id]
    return sorted(items, key=lambda i: (i["createdAt"], i["listingId"]), reverse=True)


async def test_listing_by_id_maps_every_field(gateway: Gateway) -> None:
    source = demo.dataset("kicks")["listings"][6]
    body = await gateway.gql(
        """query($id: ID!) { listing(id: $id) {
            id title description condition status productId createdAt updatedAt version
            price { amount currency } images { url alt width height }
            seller { id displayName rating joinedAt }
        } }""",
        {"id": source["listingId"]},
    )
    assert "errors" not in body, body
    listing = body["data"]["listing"]
    assert listing["id"] == source["listingId"]
    assert listing["title"] == source["title"]
    assert listing["status"] == source["status"]
    assert listing["condition"] == source["condition"]
    assert listing["price"] == {"amount": str(source["price"]["amount"]), "currency": "USD"}
    assert [i["url"] for i in listing["images"]] == [i["url"] for i in source["images"]]
    assert listing["seller"]["id"] == source["sellerId"]
    assert listing["version"] == 1


async def test_unknown_ids_are_null_not_errors(gateway: Gateway, calls: CallRecorder) -> None:
    body = await gateway.gql(
        '{ listing(id: "lst-9999") { id } seller(id: "nobody") { id } '
        'listings(ids: ["lst-0001", "missing", "lst-0002", ""]) { id } '
        'empty: listing(id: "") { id } '
        'none: productListings(productId: "") { edges { cursor } } }'
    )
    assert "errors" not in body, body
    assert body["data"]["listing"] is None
    assert body["data"]["seller"] is None
    assert [x and x["id"] for x in body["data"]["listings"]] == [
        "lst-0001",
        None,
        "lst-0002",
        None,
    ]
    assert body["data"]["empty"] is None
    assert body["data"]["none"] == {"edges": []}  # an empty key reaches no DynamoDB call
    assert "Query" not in calls.operations


async def test_product_page_is_two_calls_in_two_waves(
    gateway: Gateway, calls: CallRecorder
) -> None:
    body = await gateway.gql(PAGE_WITH_SELLERS, {"first": 50})
    assert "errors" not in body, body
    edges = body["data"]["productListings"]["edges"]
    expected = expected_product_listings("prd-001")
    assert len(expected) > 50
    assert [e["node"]["id"] for e in edges] == [i["listingId"] for i in expected[:50]]
    assert all(e["node"]["seller"]["displayName"] for e in edges)
    assert calls.operations == ["Query", "BatchGetItem"]
    assert calls.waves == 2


async def test_hundred_ids_are_two_batch_gets(gateway: Gateway, calls: CallRecorder) -> None:
    ids = [f"lst-{n:04d}" for n in range(1, 101)]
    body = await gateway.gql(BY_IDS, {"ids": ids})
    assert "errors" not in body, body
    assert [x["id"] for x in body["data"]["listings"]] == ids
    assert calls.operations == ["BatchGetItem", "BatchGetItem"]
    assert calls.waves == 2


async def test_without_loaders_the_counter_sees_the_naive_count(
    ddb: Any, settings: Any, calls: CallRecorder
) -> None:
    # 200 calls, up to 100 at once: give them more than the default 5 s request deadline,
    # and the table data a client whose per-call read timeout a busy DynamoDB Local late
    # in a long session cannot run out (this test counts calls; it times nothing).
    slow_ok = settings.model_copy(
        update={"request_deadline_seconds": 120.0, "dynamodb_read_timeout": 30.0}
    )
    async with own_client(slow_ok) as patient:
        events = patient.meta.events
        events.register("before-call.dynamodb", calls.before, unique_id="naive-before")
        events.register("after-call.dynamodb", calls.after, unique_id="naive-after")
        naive, tenants = await make_gateway(ddb, slow_ok, batching=False, client=patient)
        try:
            calls.reset()
            body = await naive.gql(PAGE_WITH_SELLERS, {"first": 50})
            assert "errors" not in body, body
            assert calls.count("Query") == 1
            assert calls.count("GetItem") == 50  # one per listing's seller
            calls.reset()
            ids = [f"lst-{n:04d}" for n in range(1, 101)]
            body = await naive.gql(BY_IDS, {"ids": ids})
            assert "errors" not in body, body
            assert calls.count("GetItem") == 200  # one per listing and one per seller
            assert calls.count("BatchGetItem") == 0
        finally:
            await naive.http.aclose()
            for tenant in tenants:
                await delete_tables(ddb, tenant.tables)


async def test_paging_walks_every_listing_once_newest_first(gateway: Gateway) -> None:
    expected = [i["listingId"] for i in expected_product_listings("prd-001")]
    seen: list[str] = []
    after = None
    while True:
        body = await gateway.gql(
            """query($after: String) { productListings(productId: "prd-001", first: 17,
                 after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }""",
            {"after": after},
        )
        assert "errors" not in body, body
        page = body["data"]["productListings"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected


async def test_status_filter_and_seller_listings(gateway: Gateway) -> None:
    data = demo.dataset("kicks")["listings"]
    body = await gateway.gql(
        """{ productListings(productId: "prd-001", status: SOLD, first: 100) {
               edges { node { id status } } }
             seller(id: "sel-003") { displayName listings(first: 100) {
               edges { node { id createdAt } } pageInfo { hasNextPage } } } }"""
    )
    assert "errors" not in body, body
    sold = [e["node"]["id"] for e in body["data"]["productListings"]["edges"]]
    want = [i["listingId"] for i in expected_product_listings("prd-001") if i["status"] == "SOLD"]
    assert sold == want
    assert sold
    seller_ids = [e["node"]["id"] for e in body["data"]["seller"]["listings"]["edges"]]
    mine = sorted(
        (i for i in data if i["sellerId"] == "sel-003"),
        key=lambda i: (i["createdAt"], i["listingId"]),
        reverse=True,
    )
    assert seller_ids == [i["listingId"] for i in mine]


SELLER_PAGE = """query($id: ID!, $first: Int!) {
  seller(id: $id) {
    displayName
    listings(first: $first) { edges { cursor node { id title seller { displayName } } } }
  }
}"""


async def test_seller_with_listings_is_one_wave(gateway: Gateway, calls: CallRecorder) -> None:
    # The listings page needs only the seller's id: it is read with the seller.
    body = await gateway.gql(SELLER_PAGE, {"id": "sel-001", "first": 5})
    assert "errors" not in body, body
    seller = body["data"]["seller"]
    edges = seller["listings"]["edges"]
    assert edges
    assert all(e["node"]["seller"]["displayName"] == seller["displayName"] for e in edges)
    assert sorted(calls.operations) == ["BatchGetItem", "Query"]
    assert calls.waves == 1
    # The same page read the other way (a filter: no read-ahead) gives the same edges.
    calls.reset()
    filtered = SELLER_PAGE.replace("listings(first: $first)", "listings(first: $first, where: {})")
    again = await gateway.gql(filtered, {"id": "sel-001", "first": 5})
    assert "errors" not in again, again
    assert again["data"]["seller"]["listings"]["edges"] == edges
    assert calls.waves == 2


async def test_a_missing_seller_drops_its_read_ahead(gateway: Gateway, calls: CallRecorder) -> None:
    body = await gateway.gql(SELLER_PAGE, {"id": "sel-nobody", "first": 5})
    assert body == {"data": {"seller": None}, "extensions": body["extensions"]}
    assert calls.waves == 1
