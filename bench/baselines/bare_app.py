"""Baseline app for the cold start: a bare graphql-core ASGI app on aioboto3.

The same product page as the gateway (1 Query + 1 BatchGetItem), with no Starlette, no
Strawberry, no pydantic, no tenancy: the least a Python GraphQL service over DynamoDB
must import and do before its first answer. Configured by environment:
BENCH_DYNAMODB_ENDPOINT, BENCH_LISTINGS_TABLE, BENCH_SELLERS_TABLE.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AsyncExitStack
from typing import Any

import aioboto3
from aiobotocore.config import AioConfig
from graphql import GraphQLResolveInfo, GraphQLSchema, build_schema, graphql

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SDL = """
type Query { productListings(productId: ID!, first: Int = 20): ListingConnection! }
type ListingConnection { edges: [ListingEdge!]! }
type ListingEdge { node: Listing! }
type Listing { id: ID! title: String! price: Money! images: [Image!]! seller: Seller }
type Money { amount: String! currency: String! }
type Image { url: String! }
type Seller { displayName: String! }
"""


async def _product_listings(
    _root: Any, info: GraphQLResolveInfo[Any], productId: str, first: int = 20
) -> dict[str, Any]:
    app: BareApp = info.context
    client = await app.client()
    response = await client.query(
        TableName=app.listings_table,
        IndexName="byProduct",
        KeyConditionExpression="#pk = :pk",
        ExpressionAttributeNames={"#pk": "productId"},
        ExpressionAttributeValues={":pk": {"S": productId}},
        ScanIndexForward=False,
        Limit=first,
    )
    items = response.get("Items", [])
    names: dict[str, str] = {}
    keys = [{"sellerId": {"S": s}} for s in dict.fromkeys(i["sellerId"]["S"] for i in items)]
    while keys:
        got = await client.batch_get_item(RequestItems={app.sellers_table: {"Keys": keys}})
        for seller in got.get("Responses", {}).get(app.sellers_table, []):
            names[seller["sellerId"]["S"]] = seller["displayName"]["S"]
        keys = got.get("UnprocessedKeys", {}).get(app.sellers_table, {}).get("Keys", [])
    edges = []
    for item in items:
        price = item["price"]["M"]
        seller = names.get(item["sellerId"]["S"])
        node = {
            "id": item["listingId"]["S"],
            "title": item["title"]["S"],
            "price": {"amount": price["amount"]["N"], "currency": price["currency"]["S"]},
            "images": [{"url": i["M"]["url"]["S"]} for i in item["images"]["L"]],
            "seller": None if seller is None else {"displayName": seller},
        }
        edges.append({"node": node})
    return {"edges": edges}


def bare_schema() -> GraphQLSchema:
    schema = build_schema(SDL)
    query = schema.query_type
    assert query is not None
    query.fields["productListings"].resolve = _product_listings
    return schema


class BareApp:
    def __init__(self) -> None:
        self.schema = bare_schema()
        self.endpoint = os.environ["BENCH_DYNAMODB_ENDPOINT"]
        self.listings_table = os.environ["BENCH_LISTINGS_TABLE"]
        self.sellers_table = os.environ["BENCH_SELLERS_TABLE"]
        self._exit = AsyncExitStack()
        self._client: Any = None

    async def client(self) -> Any:
        if self._client is None:
            self._client = await self._exit.enter_async_context(
                aioboto3.Session().client(
                    "dynamodb",
                    endpoint_url=self.endpoint,
                    region_name="us-east-1",
                    aws_access_key_id="local",
                    aws_secret_access_key="local",
                    config=AioConfig(
                        retries={"mode": "standard", "total_max_attempts": 4},
                        max_pool_connections=64,
                    ),
                )
            )
        return self._client

    async def aclose(self) -> None:
        await self._exit.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        payload = json.loads(body)
        result = await graphql(
            self.schema,
            payload["query"],
            variable_values=payload.get("variables"),
            context_value=self,
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(out).encode()})


def create_bare_app() -> BareApp:
    return BareApp()
