"""Tenant isolation: three tenants whose data share ids; no path crosses between them.

For every root field and every ordered pair of tenants, asking tenant B for what only
tenant A has must look exactly like asking for something that exists nowhere; ids that
both have return B's own content; A's cursors are rejected in B like forged ones.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from graph.local import demo
from graph.store import put_items
from tests.conftest import CallRecorder, Gateway, open_gateway

TENANTS = ("kicks", "threads", "loop")
PAIRS = list(itertools.permutations(TENANTS, 2))
LISTING = "id title price { amount currency } seller { id displayName }"
QUERIES: dict[str, str] = {
    "listing": f"query($id: ID!) {{ listing(id: $id) {{ {LISTING} }} }}",
    "listings": f'query($id: ID!) {{ listings(ids: [$id, "lst-0001"]) {{ {LISTING} }} }}',
    "seller": "query($id: ID!) { seller(id: $id) { id displayName "
    "listings(first: 5) { edges { node { id } } } } }",
    "productListings": "query($id: ID!) { productListings(productId: $id, first: 5) "
    f"{{ edges {{ cursor node {{ {LISTING} }} }} pageInfo {{ hasNextPage endCursor }} }} }}",
}
ONLY_ID = {
    "listing": "lst-only-{t}",
    "listings": "lst-only-{t}",
    "seller": "sel-only-{t}",
    "productListings": "prd-only-{t}",
}


def only_records(tenant: str) -> dict[str, list[dict[str, Any]]]:
    listing = dict(demo.dataset(tenant, "kicks")["listings"][0])
    listing.update(
        listingId=f"lst-only-{tenant}",
        productId=f"prd-only-{tenant}",
        sellerId=f"sel-only-{tenant}",
        title=f"Only in {tenant}",
    )
    seller = dict(demo.dataset(tenant, "kicks")["sellers"][0])
    seller.update(sellerId=f"sel-only-{tenant}", displayName=f"Seller only in {tenant}")
    return {"listings": [listing], "sellers": [seller]}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def three(ddb: Any, settings: Any) -> AsyncIterator[Gateway]:
    async with open_gateway(ddb, settings, TENANTS, catalogs={"loop": "kicks"}) as gw:
        for tenant in gw.tenants.values():
            extra = only_records(tenant.id)
            await put_items(ddb, tenant.tables.listings, extra["listings"])
            await put_items(ddb, tenant.tables.sellers, extra["sellers"])
        yield gw


def without_request_ids(body: Any) -> Any:
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


@pytest.mark.parametrize("field", list(QUERIES))
@pytest.mark.parametrize(("owner", "caller"), PAIRS)
async def test_other_tenants_ids_look_like_ids_that_exist_nowhere(
    three: Gateway, field: str, owner: str, caller: str
) -> None:
    query = QUERIES[field]
    mine = await three.gql(query, {"id": ONLY_ID[field].format(t=caller)}, tenant=caller)
    assert "errors" not in mine, mine  # the caller's own record is there ...
    assert "Only in" in str(mine) or "only in" in str(mine)
    theirs = await three.gql(query, {"id": ONLY_ID[field].format(t=owner)}, tenant=caller)
    nowhere = await three.gql(query, {"id": "xx-exists-nowhere"}, tenant=caller)
    assert theirs == nowhere  # ... the owner's is indistinguishable from nothing
    assert owner not in str(theirs)


@pytest.mark.parametrize(("owner", "caller"), PAIRS)
async def test_shared_ids_return_the_callers_own_content(
    three: Gateway, owner: str, caller: str
) -> None:
    body = await three.gql(QUERIES["listing"], {"id": "lst-0007"}, tenant=caller)
    catalog = {"loop": "kicks"}.get(caller, caller)
    want = next(
        i for i in demo.dataset(caller, catalog)["listings"] if i["listingId"] == "lst-0007"
    )
    other_catalog = {"loop": "kicks"}.get(owner, owner)
    other = next(
        i for i in demo.dataset(owner, other_catalog)["listings"] if i["listingId"] == "lst-0007"
    )
    assert body["data"]["listing"]["title"] == want["title"]
    assert body["data"]["listing"]["price"]["amount"] == str(want["price"]["amount"])
    assert (want["title"], want["price"]) != (other["title"], other["price"])


@pytest.mark.parametrize(("owner", "caller"), PAIRS)
async def test_cursors_of_another_tenant_are_rejected_like_forged_ones(
    three: Gateway, owner: str, caller: str
) -> None:
    page = """query($after: String) { productListings(productId: "prd-001", first: 3,
        after: $after) { edges { node { id } } pageInfo { endCursor } } }"""
    seller_page = """query($after: String) { seller(id: "sel-001") {
        listings(first: 3, after: $after) { edges { node { id } } pageInfo { endCursor } } } }"""
    for query, path in ((page, ("productListings",)), (seller_page, ("seller", "listings"))):
        first = await three.gql(query, {}, tenant=owner)
        node = first["data"]
        for key in path:
            node = node[key]
        foreign = node["pageInfo"]["endCursor"]
        own_first = await three.gql(query, {}, tenant=caller)
        assert "errors" not in own_first
        rejected = without_request_ids(await three.gql(query, {"after": foreign}, tenant=caller))
        forged = foreign[:-4] + ("AAAA" if not foreign.endswith("AAAA") else "BBBB")
        baseline = without_request_ids(await three.gql(query, {"after": forged}, tenant=caller))
        assert [e["extensions"]["code"] for e in rejected["errors"]] == ["BAD_USER_INPUT"]
        assert rejected == baseline


@pytest.mark.parametrize("tenant", TENANTS)
async def test_every_dynamodb_request_names_only_the_callers_tables(
    three: Gateway, calls: CallRecorder, tenant: str
) -> None:
    calls.reset()
    for field, query in QUERIES.items():
        for owner in TENANTS:
            await three.gql(query, {"id": ONLY_ID[field].format(t=owner)}, tenant=tenant)
        shared = "prd-001" if field == "productListings" else "lst-0001"
        await three.gql(query, {"id": shared}, tenant=tenant)
    assert calls.count() >= len(QUERIES) * (len(TENANTS) + 1)
    assert calls.tables() <= set(three.tenants[tenant].tables.all())


MUTATIONS: dict[str, tuple[str, Any]] = {
    "updateListing": (
        """mutation($id: ID!) { updateListing(id: $id, expectedVersion: 1, input: {title: "x"})
           { listing { id title } userErrors { field code } } }""",
        "lst-only-{t}",
    ),
    "setListingStatus": (
        """mutation($id: ID!) { setListingStatus(id: $id, status: WITHDRAWN)
           { listing { id } userErrors { field code } } }""",
        "lst-only-{t}",
    ),
    "createListing": (
        """mutation($id: ID!) { createListing(input: {sellerId: $id, productId: "p",
           title: "t", condition: GOOD, price: {amount: "10", currency: "USD"}})
           { listing { id } userErrors { field code } } }""",
        "sel-only-{t}",
    ),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
@pytest.mark.parametrize(("owner", "caller"), PAIRS)
async def test_writes_cannot_reach_another_tenants_records(
    three: Gateway, calls: CallRecorder, mutation: str, owner: str, caller: str
) -> None:
    document, template = MUTATIONS[mutation]
    calls.reset()
    theirs = without_request_ids(
        await three.gql(document, {"id": template.format(t=owner)}, tenant=caller, scope="write")
    )
    nowhere = without_request_ids(
        await three.gql(document, {"id": "xx-exists-nowhere"}, tenant=caller, scope="write")
    )
    assert theirs["data"] == nowhere["data"]
    payload = theirs["data"][mutation]
    assert payload["listing"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert calls.tables() <= set(three.tenants[caller].tables.all())
    # ... and the owner's record is untouched.
    check = await three.gql(
        QUERIES["listing"], {"id": f"lst-only-{owner}"}, tenant=owner, scope="read"
    )
    assert check["data"]["listing"]["title"] == f"Only in {owner}"
