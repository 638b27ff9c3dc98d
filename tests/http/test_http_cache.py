"""HTTP caching of /graphql (graph/middleware/http_cache.py): a read key's GET of a
query is public for a short while, with an ETag and 304s; the rest is never stored; JSON
is gzip-compressed when asked."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx

from graph.http.persisted import OPERATION_FILE, sha256_hex
from graph.middleware.http_cache import NO_STORE, PUBLIC, matches
from tests.conftest import Gateway, raw_key

WIDGET = sha256_hex(OPERATION_FILE.read_text())
LISTING = '{ listing(id: "lst-0001") { id title price { amount currency } } }'
MUTATION = 'mutation { setListingStatus(id: "lst-0001", status: RESERVED) { listing { id } } }'


def widget_params(product: str = "prd-001", first: int = 6) -> dict[str, str]:
    """What the widget sends: its persisted query over GET, APQ-style."""
    return {
        "operationName": "ResaleWidget",
        "variables": json.dumps({"productId": product, "first": first, "after": None}),
        "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": WIDGET}}),
    }


async def get(
    gw: Gateway, params: dict[str, str], scope: str = "read", **headers: str
) -> httpx.Response:
    sent = {
        "X-Api-Key": raw_key("kicks", scope),
        **{k.replace("_", "-"): v for k, v in headers.items()},
    }
    return await gw.http.get("/graphql", params=params, headers=sent)


def vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


async def test_read_key_get_is_public_and_revalidates_with_its_etag(gateway: Gateway) -> None:
    first = await get(gateway, widget_params(), Origin="https://shop.example")
    body: dict[str, Any] = first.json()
    assert first.status_code == 200, body
    assert "errors" not in body
    assert len(body["data"]["productListings"]["edges"]) == 6
    assert first.headers["cache-control"] == PUBLIC
    assert PUBLIC == "public, max-age=30, stale-while-revalidate=300"
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert len(etag) > 10
    assert {"x-api-key", "authorization", "accept-encoding", "origin"} <= vary(first)

    again = await get(gateway, widget_params(), If_None_Match=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == PUBLIC
    assert "content-length" not in again.headers or again.headers["content-length"] == "0"

    # Another answer (another product, another page size) has another ETag: no 304.
    other = await get(gateway, widget_params(first=5), If_None_Match=etag)
    assert other.status_code == 200
    assert other.headers["etag"] != etag
    assert len(other.json()["data"]["productListings"]["edges"]) == 5
    # A list of ETags, weak or strong, matches; a stale one does not.
    listed = await get(gateway, widget_params(), If_None_Match=f'"x", {etag.removeprefix("W/")}')
    assert listed.status_code == 304
    stale = await get(gateway, widget_params(), If_None_Match='W/"0000"')
    assert stale.status_code == 200
    assert stale.json() == body


async def test_write_and_admin_keys_and_posts_are_never_stored(gateway: Gateway) -> None:
    for scope in ("write", "admin"):
        response = await get(gateway, {"query": LISTING}, scope=scope)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["listing"]["id"] == "lst-0001"
        assert response.headers["cache-control"] == NO_STORE, scope
        assert "etag" not in response.headers
    posted = await gateway.post(LISTING)
    assert posted.status_code == 200
    assert posted.headers["cache-control"] == NO_STORE
    assert "etag" not in posted.headers
    # The same GET with a read key is cacheable: the key decides, not the document.
    read = await get(gateway, {"query": LISTING})
    assert read.headers["cache-control"] == PUBLIC


async def test_errors_are_never_cached(gateway: Gateway) -> None:
    unknown = {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": "a" * 64}})}
    answers = {
        "unknown hash": await get(gateway, unknown),
        "invalid document": await get(gateway, {"query": "{ nope }"}),
        "too deep": await get(gateway, {"query": "{ " * 40 + "__typename" + " }" * 40}),
        "bad variables": await get(gateway, {"query": LISTING, "variables": "{"}),
        "mutation over GET": await get(
            gateway,
            {"query": MUTATION},
            scope="write",  # a key that may write: refused for the method alone
        ),
        "no key": await gateway.http.get("/graphql", params={"query": LISTING}),
        "bad key": await gateway.http.get(
            "/graphql", params={"query": LISTING}, headers={"X-Api-Key": "rg_nope_nope"}
        ),
    }
    for what, response in answers.items():
        assert response.headers.get("cache-control") == NO_STORE, (what, response.headers)
        assert "etag" not in response.headers, what
    # Each is a GraphQL error with a stable code.
    mutation = answers["mutation over GET"]
    assert mutation.status_code == 400, mutation.text
    (refusal,) = mutation.json()["errors"]
    assert refusal["extensions"]["code"] == "BAD_REQUEST"
    assert "GET" in refusal["message"]
    # ... and it did not run: the listing is as it was.
    listing = await gateway.gql('{ listing(id: "lst-0001") { status } }')
    assert listing["data"]["listing"]["status"] != "RESERVED"
    assert answers["unknown hash"].json()["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_json_is_gzip_compressed_when_asked(gateway: Gateway) -> None:
    params = widget_params(first=12)
    plain = await get(gateway, params, Accept_Encoding="identity")
    assert "content-encoding" not in plain.headers
    raw = plain.content
    assert len(raw) > 1000

    zipped = await get(gateway, params, Accept_Encoding="gzip")
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in vary(zipped)
    assert zipped.json() == plain.json()  # httpx decoded it
    assert int(zipped.headers["content-length"]) < len(raw) // 2
    # The ETag is of the JSON, so it revalidates whichever encoding was cached.
    assert zipped.headers["etag"] == plain.headers["etag"]
    assert gzip.decompress(gzip.compress(raw)) == raw

    # POSTs too; tiny answers stay as they are.
    posted = await gateway.post(LISTING, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in posted.headers  # under the minimum size
    assert posted.json()["data"]["listing"]["id"] == "lst-0001"


def test_if_none_match_comparison_is_weak() -> None:
    assert matches('W/"abc"', 'W/"abc"')
    assert matches('"abc"', 'W/"abc"')
    assert matches('"x", W/"abc"', 'W/"abc"')
    assert matches("*", 'W/"abc"')
    assert not matches('"abcd"', 'W/"abc"')
    assert not matches("", 'W/"abc"')
