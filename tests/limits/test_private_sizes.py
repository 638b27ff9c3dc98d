"""A read key's capacity figures do not depend on data it may not read (issue 30).

DynamoDB ends a Query at 1 MB of items read, private attributes included, so the calls
a page makes and the items it reads grow with private fields. Two gateways whose
listings differ only in the size of a private custom field (kicks' `shopify`) must give
a read key the same data, the same `extensions.cost` and the same RateLimit-* headers,
while a write key is shown that the reads did differ.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from graph.limits.buckets import TokenBucket
from graph.registry.tenants import Limits
from graph.settings import Settings
from tests.conftest import Gateway, open_gateway

#: A bucket that never refills (its clock is frozen): every header is reproducible.
LIMITS = Limits(cost_per_second=1.0, cost_burst=100_000, max_cost=20_000)
PRIVATE_BYTES = 150_000
RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")
PAGE = (
    '{ productListings(productId: "prd-001", first: 20) '
    "{ edges { node { id title custom { size } } } pageInfo { hasNextPage } } }"
)
DOCUMENTS = [
    PAGE,
    # `status` is a FilterExpression: a filtered page, with its read budget.
    '{ productListings(productId: "prd-001", first: 20, status: ACTIVE) '
    "{ edges { node { id price { amount } } } pageInfo { hasNextPage } } }",
    "{ shop(first: 20) { edges { node { id } } pageInfo { hasNextPage } complete index } }",
    "{ shop(first: 20, filter: {condition: [GOOD]}) { edges { node { id } } complete } }",
    '{ seller(id: "sel-001") { listings(first: 20) { edges { node { id } } } } }',
]


async def _inflate(ddb: Any, table: str, size: int) -> int:
    """Give prd-001's listings and the 120 newest their private `shopify` of `size`."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table}
    while True:
        response = await ddb.scan(**request)
        items.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    items.sort(key=lambda item: item["createdAt"]["S"], reverse=True)
    chosen = [
        item
        for n, item in enumerate(items)
        if n < 120 or item["productId"]["S"] == "prd-001" or item["sellerId"]["S"] == "sel-001"
    ]
    for item in chosen:
        custom = item.setdefault("custom", {"M": {}})["M"]
        custom["shopify"] = {"S": json.dumps({"productId": "p", "blob": "x" * size})}
        await ddb.put_item(TableName=table, Item=item)
    return len(chosen)


@asynccontextmanager
async def seeded(ddb: Any, settings: Settings, size: int) -> AsyncIterator[Gateway]:
    async with open_gateway(ddb, settings, limits=LIMITS) as gw:
        tenant = gw.tenants["kicks"]
        assert await _inflate(ddb, tenant.tables.listings, size) >= 120
        gate = gw.runtime.graph_for(tenant).gate
        gate.bucket = TokenBucket(LIMITS.cost_per_second, LIMITS.cost_burst, clock=lambda: 0.0)
        yield gw


async def _seen(gw: Gateway, scope: str) -> list[tuple[Any, Any, dict[str, str]]]:
    seen = []
    for document in DOCUMENTS:
        response = await gw.post(document, scope=scope)
        body = response.json()
        assert "errors" not in body, body
        headers = {name: response.headers[name] for name in RATE_HEADERS}
        seen.append((body["data"], body["extensions"], headers))
    return seen


async def test_a_read_key_sees_the_same_costs_and_headers_whatever_the_private_bytes(
    ddb: Any, settings: Settings
) -> None:
    async with seeded(ddb, settings, 10) as small, seeded(ddb, settings, PRIVATE_BYTES) as large:
        read_small, read_large = await _seen(small, "read"), await _seen(large, "read")
        write_small, write_large = await _seen(small, "write"), await _seen(large, "write")
    for document, at_small, at_large in zip(DOCUMENTS, read_small, read_large, strict=True):
        assert at_small == at_large, document
        cost = at_small[1]["cost"]
        assert not {"dynamodbCalls", "actualReadCapacity", "actualWriteCapacity"} & set(cost)
        assert all("itemsRead" not in plan for plan in cost.get("plans", []))
        assert cost["requested"] >= cost["actual"] > 0
    # The private bytes did change the reads: a write key is shown so.
    calls = [
        (s[1]["cost"]["dynamodbCalls"], g[1]["cost"]["dynamodbCalls"])
        for s, g in zip(write_small, write_large, strict=True)
    ]
    assert calls[0][1] > calls[0][0], calls
    assert all(large >= small for small, large in calls), calls
    read_capacity = [
        (s[1]["cost"]["actualReadCapacity"], g[1]["cost"]["actualReadCapacity"])
        for s, g in zip(write_small, write_large, strict=True)
    ]
    assert all(large > small for small, large in read_capacity), read_capacity
    # And a write key's data is the same too: pages read by items, not by calls.
    for at_small, at_large in zip(write_small, write_large, strict=True):
        assert at_small[0] == at_large[0]
