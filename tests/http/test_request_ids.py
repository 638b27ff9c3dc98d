"""The audit request id is the gateway's own; a client's `X-Request-Id` is kept beside
it as a correlation id (response header, log line, the written item, its history)."""

from __future__ import annotations

from typing import Any

from graph.store import from_wire
from tests.conftest import Gateway
from tests.schema.test_mutations import CREATE, new_listing

CLIENT_ID = "client-chosen-id-0001"


async def _item(ddb: Any, gateway: Gateway, listing_id: str) -> dict[str, Any]:
    table = gateway.tenants["kicks"].tables.listings
    found = await ddb.get_item(TableName=table, Key={"listingId": {"S": listing_id}})
    return dict(from_wire(found["Item"]))


async def test_a_client_request_id_is_a_correlation_id_not_the_request_id(
    gateway: Gateway, ddb: Any
) -> None:
    headers = {"X-Request-Id": CLIENT_ID}
    first = await gateway.post(CREATE, {"input": new_listing()}, scope="write", headers=headers)
    second = await gateway.post(CREATE, {"input": new_listing()}, scope="write", headers=headers)
    ids = [r.headers["x-request-id"] for r in (first, second)]
    assert CLIENT_ID not in ids
    assert ids[0] != ids[1]  # the same client id twice: two requests, two ids
    assert [r.headers["x-correlation-id"] for r in (first, second)] == [CLIENT_ID] * 2
    listing_id = first.json()["data"]["createListing"]["listing"]["id"]
    item = await _item(ddb, gateway, listing_id)
    assert (item["requestId"], item["correlationId"]) == (ids[0], CLIENT_ID)


async def test_without_a_client_id_there_is_no_correlation_id(gateway: Gateway, ddb: Any) -> None:
    response = await gateway.post(CREATE, {"input": new_listing()}, scope="write")
    assert "x-correlation-id" not in response.headers
    listing_id = response.json()["data"]["createListing"]["listing"]["id"]
    item = await _item(ddb, gateway, listing_id)
    assert item["correlationId"] == ""
    assert item["requestId"] == response.headers["x-request-id"]
