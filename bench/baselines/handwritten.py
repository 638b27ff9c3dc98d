"""Baseline: the product page written by hand on aioboto3, in the fewest calls.

One Query on the `byProduct` index, one BatchGetItem of the distinct sellers, and the
same JSON the gateway answers with, read straight from the wire format. It uses the
gateway's own client settings (pool size, retries, timeouts), so the difference from
the gateway is the gateway's work, not the connection set-up.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


async def product_page(
    client: Any, listings_table: str, sellers_table: str, product_id: str, first: int
) -> bytes:
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
