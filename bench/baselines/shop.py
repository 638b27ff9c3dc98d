"""The shop page by hand (bench/benchmarks/shop_page.py): aioboto3 alone on the same
indexes as the gateway (one Query per shard, merged by price, the sellers in one
BatchGetItem), and the same page from a Scan with a filter (what the indexes buy)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

#: The page's size, and the status partition's shards (graph/store/tables.py).
FIRST = 24
SHARDS = 4


def _page(items: list[dict[str, Any]], sellers: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": i["listingId"],
            "title": i["title"],
            "price": {"amount": str(i["price"]["amount"]), "currency": i["price"]["currency"]},
            "seller": {"displayName": sellers[i["sellerId"]]},
        }
        for i in items
    ]


def _item(raw: dict[str, Any]) -> dict[str, Any]:
    price = raw["price"]["M"]
    return {
        "listingId": raw["listingId"]["S"],
        "title": raw["title"]["S"],
        "sellerId": raw["sellerId"]["S"],
        "price": {"amount": Decimal(price["amount"]["N"]), "currency": price["currency"]["S"]},
    }


async def _sellers(ddb: Any, table: str, ids: list[str]) -> dict[str, str]:
    keys = [{"sellerId": {"S": s}} for s in dict.fromkeys(ids)]
    response = await ddb.batch_get_item(
        RequestItems={
            table: {
                "Keys": keys,
                "ProjectionExpression": "sellerId, displayName",
            }
        }
    )
    return {r["sellerId"]["S"]: r["displayName"]["S"] for r in response["Responses"][table]}


async def hand_written(ddb: Any, tables: Any) -> list[dict[str, Any]]:
    """The same indexes, by hand: 4 Queries at once, merged by price, then the sellers."""

    async def one(shard: int) -> list[dict[str, Any]]:
        response = await ddb.query(
            TableName=tables.listings,
            IndexName="shop_size_price",
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": "shop_size", "#t": "title", "#p": "price"},
            ExpressionAttributeValues={":pk": {"S": f"ACTIVE#{shard}#10"}},
            ProjectionExpression="listingId, #t, #p, sellerId, priceAmount, shop_size",
            ScanIndexForward=True,
            Limit=FIRST + 1,
        )
        return [_item(raw) for raw in response["Items"]]

    parts = await asyncio.gather(*(one(shard) for shard in range(SHARDS)))
    merged = sorted((i for part in parts for i in part), key=lambda i: i["price"]["amount"])
    page = merged[:FIRST]
    sellers = await _sellers(ddb, tables.sellers, [i["sellerId"] for i in page])
    return _page(page, sellers)


async def scanned(ddb: Any, tables: Any) -> list[dict[str, Any]]:
    """No index: read the whole table, keep the matches, sort, take the page."""
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "TableName": tables.listings,
        "FilterExpression": "#s = :s AND #c.#z = :z",
        "ExpressionAttributeNames": {
            "#s": "status",
            "#c": "custom",
            "#z": "size",
            "#t": "title",
            "#p": "price",
        },
        "ExpressionAttributeValues": {":s": {"S": "ACTIVE"}, ":z": {"N": "10"}},
        "ProjectionExpression": "listingId, #t, #p, sellerId",
    }
    while True:
        response = await ddb.scan(**request)
        found += [_item(raw) for raw in response["Items"]]
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    page = sorted(found, key=lambda i: i["price"]["amount"])[:FIRST]
    sellers = await _sellers(ddb, tables.sellers, [i["sellerId"] for i in page])
    return _page(page, sellers)
