"""What both hand-written endpoints (HTTP and Lambda) share: configuration, the API key
check and reading the request, all as a team would write them by hand.

Configured like the gateway: `GRAPH_*` (stage, DynamoDB endpoint) for the DynamoDB
client, made by the gateway's own `open_dynamodb` (pool size, retries, timeouts), so a
difference is the gateway's work, not the connection's. It parses responses with stock
botocore, as any aioboto3 code does: the gateway's item-read parser
(graph/store/parser.py) is gateway work, and `item_parser=True` gives a client with it
(the product page bench's informational variant); plus BENCH_LISTINGS_TABLE,
BENCH_SELLERS_TABLE and BENCH_API_KEY (the one key it accepts, kept only as a hash).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bench.baselines.handwritten import product_page

MAX_FIRST = 100


class BadRequest(ValueError):
    """The request is not a product page this endpoint answers (HTTP 400)."""


@dataclass(frozen=True)
class EndpointConfig:
    listings_table: str
    sellers_table: str
    key_sha256: bytes

    @classmethod
    def from_env(cls) -> EndpointConfig:
        try:
            key = os.environ["BENCH_API_KEY"]
            return cls(
                listings_table=os.environ["BENCH_LISTINGS_TABLE"],
                sellers_table=os.environ["BENCH_SELLERS_TABLE"],
                key_sha256=hashlib.sha256(key.encode()).digest(),
            )
        except KeyError as exc:
            raise RuntimeError(
                f"the hand-written endpoint needs {exc.args[0]} in its environment "
                "(bench/harness/env.py sets it)"
            ) from None

    def authorised(self, api_key: str | None) -> bool:
        if not api_key:
            return False
        return hmac.compare_digest(hashlib.sha256(api_key.encode()).digest(), self.key_sha256)


def page_arguments(payload: Any) -> tuple[str, int]:
    """(productId, first) from a POSTed `{"query", "variables"}` body."""
    variables = payload.get("variables") if isinstance(payload, dict) else None
    if not isinstance(variables, dict):
        raise BadRequest("variables {productId, first} are required")
    product_id, first = variables.get("productId"), variables.get("first")
    if not isinstance(product_id, str) or not isinstance(first, int):
        raise BadRequest("productId (string) and first (int) are required")
    if not 1 <= first <= MAX_FIRST:
        raise BadRequest(f"first must be 1..{MAX_FIRST}")
    return product_id, first


@asynccontextmanager
async def dynamodb_client(*, item_parser: bool = False) -> AsyncIterator[Any]:
    """A DynamoDB client with the gateway's settings (`GRAPH_*`); stock botocore parsing
    unless `item_parser`."""
    from bench.harness.graph_store import open_dynamodb
    from graph.settings import Settings

    async with open_dynamodb(Settings(), item_parser=item_parser) as client:
        yield client


async def answer(client: Any, config: EndpointConfig, payload: Any, *, project: bool) -> bytes:
    product_id, first = page_arguments(payload)
    return await product_page(
        client, config.listings_table, config.sellers_table, product_id, first, project=project
    )
