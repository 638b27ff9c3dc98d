"""Baseline: the product page written by hand on aioboto3, in the fewest calls.

One Query on the `byProduct` index, one BatchGetItem of the distinct sellers, and the
same JSON the gateway answers with, read straight from the wire format. It uses the
gateway's own client settings (pool size, retries, timeouts), so the difference from
the gateway is the gateway's work, not the connection set-up.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from typing import Any

#: What the README's product page needs from a listing: the fields it shows, the seller
#: to look up, and the byProduct index's key for the cursor.
LISTING_PROJECTION = "listingId, title, price, sellerId, productId, createdAt"
SELLER_PROJECTION = "sellerId, displayName"
CURSOR_KEY = ("listingId", "productId", "createdAt")


class HandCursor:
    """A signed cursor as a team would write one: base64url(JSON of the last key) + "." +
    a truncated HMAC-SHA256. Its own format: the product page check compares what it
    holds (the last listing's key), not its bytes, with the gateway's."""

    def __init__(self, secret: bytes) -> None:
        self._key = secret

    def encode(self, key: dict[str, str]) -> str:
        payload = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        return f"{_b64(payload)}.{_b64(mac)}"

    def decode(self, cursor: str) -> dict[str, str]:
        body, mac = cursor.split(".", 1)
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        expected = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(_b64(expected), mac):
            raise ValueError("forged cursor")
        key: dict[str, str] = json.loads(payload)
        return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


#: The benchmark's hand-written cursors (a per-run secret would do as well).
CURSORS = HandCursor(b"bench-hand-written-cursor-secret")


async def product_page_data(
    client: Any,
    listings_table: str,
    sellers_table: str,
    product_id: str,
    first: int,
    *,
    project: bool = True,
) -> dict[str, Any]:
    """The README's product page: 1 Query (`first + 1` items, to know `hasNextPage`) and
    1 BatchGetItem of the distinct sellers. `project`: ask DynamoDB only for the
    attributes the page needs (ProjectionExpression), as the best hand-written code does."""
    query: dict[str, Any] = {
        "TableName": listings_table,
        "IndexName": "byProduct",
        "KeyConditionExpression": "productId = :pk",
        "ExpressionAttributeValues": {":pk": {"S": product_id}},
        "ScanIndexForward": False,
        "Limit": first + 1,
    }
    if project:
        query["ProjectionExpression"] = LISTING_PROJECTION
    response = await client.query(**query)
    found: list[dict[str, Any]] = response.get("Items", [])
    items = found[:first]
    names: dict[str, str] = {}
    keys = [{"sellerId": {"S": s}} for s in dict.fromkeys(i["sellerId"]["S"] for i in items)]
    while keys:  # at most 100 distinct sellers on a page of at most 100: one call
        request: dict[str, Any] = {"Keys": keys}
        if project:
            request["ProjectionExpression"] = SELLER_PROJECTION
        got = await client.batch_get_item(RequestItems={sellers_table: request})
        for seller in got.get("Responses", {}).get(sellers_table, []):
            names[seller["sellerId"]["S"]] = seller["displayName"]["S"]
        keys = got.get("UnprocessedKeys", {}).get(sellers_table, {}).get("Keys", [])
    edges = []
    for item in items:
        price = item["price"]["M"]
        seller = names.get(item["sellerId"]["S"])
        edges.append(
            {
                "node": {
                    "id": item["listingId"]["S"],
                    "title": item["title"]["S"],
                    "price": {"amount": price["amount"]["N"], "currency": price["currency"]["S"]},
                    "seller": None if seller is None else {"displayName": seller},
                }
            }
        )
    end = CURSORS.encode({k: items[-1][k]["S"] for k in CURSOR_KEY}) if items else None
    page_info = {"hasNextPage": len(found) > first, "endCursor": end}
    return {"data": {"productListings": {"edges": edges, "pageInfo": page_info}}}


async def product_page(
    client: Any,
    listings_table: str,
    sellers_table: str,
    product_id: str,
    first: int,
    *,
    project: bool = True,
) -> bytes:
    """`product_page_data` as the JSON bytes a handler sends."""
    data = await product_page_data(
        client, listings_table, sellers_table, product_id, first, project=project
    )
    return json.dumps(data).encode()


async def product_page_images(
    client: Any, listings_table: str, sellers_table: str, product_id: str, first: int
) -> bytes:
    """The product page with images and without pageInfo (PRODUCT_PAGE_IMAGES), whole
    items: the baseline of the DynamoDB call counts."""
    response = await client.query(
        TableName=listings_table,
        IndexName="byProduct",
        KeyConditionExpression="#pk = :pk",
        ExpressionAttributeNames={"#pk": "productId"},
        ExpressionAttributeValues={":pk": {"S": product_id}},
        ScanIndexForward=False,
        Limit=first,
    )
    items: list[dict[str, Any]] = response.get("Items", [])
    names: dict[str, str] = {}
    keys = [{"sellerId": {"S": s}} for s in dict.fromkeys(i["sellerId"]["S"] for i in items)]
    while keys:  # at most 100 distinct sellers on a page of at most 100: one call
        got = await client.batch_get_item(RequestItems={sellers_table: {"Keys": keys}})
        for seller in got.get("Responses", {}).get(sellers_table, []):
            names[seller["sellerId"]["S"]] = seller["displayName"]["S"]
        keys = got.get("UnprocessedKeys", {}).get(sellers_table, {}).get("Keys", [])
    edges = []
    for item in items:
        price = item["price"]["M"]
        seller = names.get(item["sellerId"]["S"])
        edges.append(
            {
                "node": {
                    "id": item["listingId"]["S"],
                    "title": item["title"]["S"],
                    "price": {"amount": price["amount"]["N"], "currency": price["currency"]["S"]},
                    "images": [{"url": i["M"]["url"]["S"]} for i in item["images"]["L"]],
                    "seller": None if seller is None else {"displayName": seller},
                }
            }
        )
    return json.dumps({"data": {"productListings": {"edges": edges}}}).encode()


async def seller_page(
    client: Any, listings_table: str, sellers_table: str, seller_id: str, first: int
) -> bytes:
    """A seller and their newest listings: both reads at once (one wave), as a person
    writing this by hand would."""
    seller_call = client.get_item(TableName=sellers_table, Key={"sellerId": {"S": seller_id}})
    listings_call = client.query(
        TableName=listings_table,
        IndexName="bySeller",
        KeyConditionExpression="#pk = :pk",
        ExpressionAttributeNames={"#pk": "sellerId"},
        ExpressionAttributeValues={":pk": {"S": seller_id}},
        ScanIndexForward=False,
        Limit=first,
    )
    seller_response, listings_response = await asyncio.gather(seller_call, listings_call)
    seller = seller_response.get("Item")
    if seller is None:
        return json.dumps({"data": {"seller": None}}).encode()
    name = seller["displayName"]["S"]
    edges = [
        {
            "node": {
                "id": i["listingId"]["S"],
                "title": i["title"]["S"],
                "seller": {"displayName": name},
            }
        }
        for i in listings_response.get("Items", [])
    ]
    body = {
        "displayName": name,
        "rating": seller.get("rating", {}).get("N"),
        "listings": {"edges": edges},
    }
    return json.dumps({"data": {"seller": body}}).encode()


async def listings_by_ids(
    client: Any, listings_table: str, sellers_table: str, ids: list[str]
) -> bytes:
    """Listings by id with their sellers: two dependent BatchGetItems (<= 100 ids)."""
    listings = await _batch_get(client, listings_table, "listingId", ids)
    seller_ids = list(dict.fromkeys(i["sellerId"]["S"] for i in listings.values()))
    sellers = await _batch_get(client, sellers_table, "sellerId", seller_ids)
    out: list[dict[str, Any] | None] = []
    for listing_id in ids:
        item = listings.get(listing_id)
        if item is None:
            out.append(None)
            continue
        seller = sellers.get(item["sellerId"]["S"])
        out.append(
            {
                "id": listing_id,
                "title": item["title"]["S"],
                "seller": None if seller is None else {"displayName": seller["displayName"]["S"]},
            }
        )
    return json.dumps({"data": {"listings": out}}).encode()


async def _batch_get(
    client: Any, table: str, key: str, ids: list[str]
) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    keys = [{key: {"S": i}} for i in ids]
    while keys:
        got = await client.batch_get_item(RequestItems={table: {"Keys": keys}})
        for item in got.get("Responses", {}).get(table, []):
            found[item[key]["S"]] = item
        keys = got.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return found
