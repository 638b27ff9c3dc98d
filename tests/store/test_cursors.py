"""Cursors are opaque, signed and bound to the tenant and the query they came from."""

from __future__ import annotations

import base64
import json

import pytest

from graph.errors import BadUserInput
from graph.store import CursorCodec
from tests.conftest import Gateway

PAGE = """query($product: ID!, $first: Int!, $after: String, $status: ListingStatus) {
  productListings(productId: $product, first: $first, after: $after, status: $status) {
    edges { node { id } } pageInfo { endCursor } } }"""


def codes(body: dict[str, object]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]  # type: ignore[attr-defined, index]


def test_roundtrip_and_tamper() -> None:
    codec = CursorCodec(b"secret", "kicks")
    cursor = codec.encode("q1", {"listingId": "lst-1"})
    assert codec.decode("q1", cursor) == {"listingId": "lst-1"}
    body, mac = cursor.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["k"]["listingId"] = "lst-2"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    for bad in (f"{forged}.{mac}", "garbage", "", "a.b", cursor[:-2]):
        with pytest.raises(BadUserInput):
            codec.decode("q1", bad)
    with pytest.raises(BadUserInput, match="another query"):
        codec.decode("q2", cursor)
    with pytest.raises(BadUserInput):
        CursorCodec(b"secret", "threads").decode("q1", cursor)


@pytest.mark.parametrize("first", [0, 101, -5])
async def test_first_out_of_range_is_bad_user_input(gateway: Gateway, first: int) -> None:
    body = await gateway.gql(PAGE, {"product": "prd-001", "first": first})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "between 1 and 100" in body["errors"][0]["message"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJxIjoiIn0.AAAA", "...", "é"])
async def test_malformed_cursor_is_bad_user_input(gateway: Gateway, cursor: str) -> None:
    body = await gateway.gql(PAGE, {"product": "prd-001", "first": 5, "after": cursor})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_cursor_from_another_query_is_rejected(gateway: Gateway) -> None:
    first = await gateway.gql(PAGE, {"product": "prd-001", "first": 5})
    cursor = first["data"]["productListings"]["pageInfo"]["endCursor"]
    again = await gateway.gql(PAGE, {"product": "prd-001", "first": 5, "after": cursor})
    assert "errors" not in again
    for variables in (
        {"product": "prd-002", "first": 5, "after": cursor},
        {"product": "prd-001", "first": 5, "after": cursor, "status": "SOLD"},
    ):
        body = await gateway.gql(PAGE, variables)
        assert codes(body) == ["BAD_USER_INPUT"], body
    seller = await gateway.gql(
        'query($a: String) { seller(id: "sel-001") { listings(first: 5, after: $a) '
        "{ edges { node { id } } } } }",
        {"a": cursor},
    )
    assert codes(seller) == ["BAD_USER_INPUT"]


async def test_too_many_ids_is_bad_user_input(gateway: Gateway) -> None:
    body = await gateway.gql(
        "query($ids: [ID!]!) { listings(ids: $ids) { id } }",
        {"ids": [f"lst-{n:04d}" for n in range(101)]},
    )
    assert codes(body) == ["BAD_USER_INPUT"]
