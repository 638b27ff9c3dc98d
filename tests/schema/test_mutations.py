"""Mutations: validation as userErrors, conditional writes, transitions, idempotency."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import Gateway

CREATE = """mutation($input: CreateListingInput!) {
  createListing(input: $input) {
    listing { id title status version price { amount currency } seller { id } }
    userErrors { field message code }
  }
}"""
UPDATE = """mutation($id: ID!, $v: Int!, $input: UpdateListingInput!) {
  updateListing(id: $id, expectedVersion: $v, input: $input) {
    listing { id title version price { amount } }
    userErrors { field message code }
  }
}"""
STATUS = """mutation($id: ID!, $status: ListingStatus!, $v: Int) {
  setListingStatus(id: $id, status: $status, expectedVersion: $v) {
    listing { id status version } userErrors { field code }
  }
}"""


def new_listing(**overrides: Any) -> dict[str, Any]:
    return {
        "sellerId": "sel-001",
        "productId": "prd-002",
        "title": "Worn twice: Air Max 90",
        "condition": "LIKE_NEW",
        "price": {"amount": "129.90", "currency": "USD"},
        "images": [{"url": "https://img.example.com/a.jpg"}],
        **overrides,
    }


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_create_then_read_back(gateway: Gateway) -> None:
    body = await gateway.gql(CREATE, {"input": new_listing()}, scope="write")
    assert "errors" not in body, body
    created = body["data"]["createListing"]
    assert created["userErrors"] == []
    listing = created["listing"]
    assert listing["version"] == 1
    assert listing["status"] == "ACTIVE"
    assert listing["price"] == {"amount": "129.90", "currency": "USD"}
    read = await gateway.gql(
        "query($id: ID!) { listing(id: $id) { title seller { id } } }",
        {"id": listing["id"]},
    )
    assert read["data"]["listing"]["title"] == "Worn twice: Air Max 90"
    page = await gateway.gql(
        '{ productListings(productId: "prd-002", first: 1) { edges { node { id } } } }'
    )
    assert page["data"]["productListings"]["edges"][0]["node"]["id"] == listing["id"]


async def test_read_key_cannot_write(gateway: Gateway, calls: Any) -> None:
    body = await gateway.gql(CREATE, {"input": new_listing()}, scope="read")
    assert codes(body) == ["FORBIDDEN"]
    assert calls.count() == 0


async def test_invalid_input_is_user_errors_with_paths(gateway: Gateway, calls: Any) -> None:
    bad = new_listing(
        title="",
        price={"amount": "-3.999", "currency": "dollars"},
        images=[{"url": "ftp://x"}],
        status="SOLD",
    )
    body = await gateway.gql(CREATE, {"input": bad}, scope="write")
    assert "errors" not in body
    errors = body["data"]["createListing"]["userErrors"]
    assert {(tuple(e["field"]), e["code"]) for e in errors} == {
        (("title",), "REQUIRED"),
        (("price", "amount"), "OUT_OF_RANGE"),
        (("price", "currency"), "INVALID"),
        (("images", "0", "url"), "INVALID"),
        (("status",), "INVALID"),
    }
    assert body["data"]["createListing"]["listing"] is None
    assert calls.count() == 0


async def test_unknown_seller_is_a_user_error(gateway: Gateway) -> None:
    body = await gateway.gql(CREATE, {"input": new_listing(sellerId="sel-404")}, scope="write")
    assert body["data"]["createListing"]["userErrors"][0]["field"] == ["sellerId"]
    assert body["data"]["createListing"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_idempotency_key(gateway: Gateway) -> None:
    headers = {"Idempotency-Key": "order-77-listing"}
    first = await gateway.gql(CREATE, {"input": new_listing()}, scope="write", headers=headers)
    listing = first["data"]["createListing"]["listing"]
    state = "query($id: ID!) { listing(id: $id) { version updatedAt title } }"
    before = await gateway.gql(state, {"id": listing["id"]})
    again = await gateway.gql(CREATE, {"input": new_listing()}, scope="write", headers=headers)
    assert again["data"]["createListing"]["listing"] == listing
    # The retry's conditional put was refused: the stored listing did not change.
    assert await gateway.gql(state, {"id": listing["id"]}) == before
    other = await gateway.gql(
        CREATE, {"input": new_listing(title="Something else")}, scope="write", headers=headers
    )
    assert codes(other) == ["BAD_USER_INPUT"]
    assert "Idempotency-Key" in other["errors"][0]["message"]
    fresh = await gateway.gql(
        CREATE, {"input": new_listing()}, scope="write", headers={"Idempotency-Key": "another"}
    )
    assert fresh["data"]["createListing"]["listing"]["id"] != listing["id"]


async def test_update_with_versions(gateway: Gateway) -> None:
    ok = await gateway.gql(
        UPDATE, {"id": "lst-0003", "v": 1, "input": {"title": "Renamed"}}, scope="write"
    )
    assert ok["data"]["updateListing"]["listing"]["version"] == 2
    assert ok["data"]["updateListing"]["listing"]["title"] == "Renamed"
    stale = await gateway.gql(
        UPDATE, {"id": "lst-0003", "v": 1, "input": {"title": "Again"}}, scope="write"
    )
    assert codes(stale) == ["CONFLICT"]
    assert stale["errors"][0]["extensions"]["currentVersion"] == 2
    missing = await gateway.gql(
        UPDATE, {"id": "lst-nope", "v": 1, "input": {"title": "x"}}, scope="write"
    )
    assert missing["data"]["updateListing"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_twenty_concurrent_updates_one_wins(roomy: Gateway) -> None:
    gateway = roomy
    results = await asyncio.gather(
        *(
            gateway.gql(
                UPDATE, {"id": "lst-0004", "v": 1, "input": {"title": f"Writer {n}"}}, scope="write"
            )
            for n in range(20)
        )
    )
    won = [r for r in results if "errors" not in r]
    lost = [r for r in results if codes(r) == ["CONFLICT"]]
    assert len(won) == 1
    assert len(lost) == 19
    read = await gateway.gql('{ listing(id: "lst-0004") { title version } }')
    assert read["data"]["listing"]["version"] == 2
    assert read["data"]["listing"]["title"] == won[0]["data"]["updateListing"]["listing"]["title"]


async def test_status_transitions(gateway: Gateway) -> None:
    created = await gateway.gql(CREATE, {"input": new_listing()}, scope="write")
    listing_id = created["data"]["createListing"]["listing"]["id"]
    for status, version in (("RESERVED", 2), ("ACTIVE", 3), ("RESERVED", 4), ("SOLD", 5)):
        body = await gateway.gql(STATUS, {"id": listing_id, "status": status}, scope="write")
        assert body["data"]["setListingStatus"]["listing"] == {
            "id": listing_id,
            "status": status,
            "version": version,
        }
    final = await gateway.gql(STATUS, {"id": listing_id, "status": "ACTIVE"}, scope="write")
    assert codes(final) == ["BAD_USER_INPUT"]
    assert "SOLD is final" in final["errors"][0]["message"]
    stale = await gateway.gql(
        STATUS, {"id": "lst-0001", "status": "WITHDRAWN", "v": 7}, scope="write"
    )
    assert codes(stale) == ["CONFLICT"]


async def test_upsert_seller(gateway: Gateway) -> None:
    upsert = """mutation($input: UpsertSellerInput!, $v: Int) {
      upsertSeller(input: $input, expectedVersion: $v) {
        seller { id displayName } userErrors { field code } } }"""
    created = await gateway.gql(
        upsert, {"input": {"id": "sel-new", "displayName": "Nia"}, "v": 0}, scope="write"
    )
    assert created["data"]["upsertSeller"]["seller"] == {
        "id": "sel-new",
        "displayName": "Nia",
    }
    twice = await gateway.gql(
        upsert, {"input": {"id": "sel-new", "displayName": "Nia"}, "v": 0}, scope="write"
    )
    assert codes(twice) == ["CONFLICT"]
    renamed = await gateway.gql(
        upsert, {"input": {"id": "sel-new", "displayName": "Nia B."}}, scope="write"
    )
    assert renamed["data"]["upsertSeller"]["seller"]["displayName"] == "Nia B."
    bad = await gateway.gql(upsert, {"input": {"id": "bad id!", "displayName": ""}}, scope="write")
    assert {e["code"] for e in bad["data"]["upsertSeller"]["userErrors"]} == {"INVALID"}
