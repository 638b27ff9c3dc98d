"""DynamoDB faults, injected only through botocore `before-send.dynamodb` hooks on a real
client: the hook returns an AWSResponse (aiobotocore's AioAWSResponse), so throttles and
5xx go through botocore's real `standard` retry logic and the store's error mapping.

Each test opens its own client: botocore's retry quota (500 tokens, 5 per retry) belongs
to a client, and a test that throttles everything drains it.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from aiobotocore.awsrequest import AioAWSResponse

from graph.local import demo
from graph.registry.tenants import Limits
from graph.settings import Settings
from graph.store import open_dynamodb, to_wire
from tests.limits.test_limits import codes, gateway_with

THROTTLE = (400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException")
INTERNAL = (500, "com.amazonaws.dynamodb.v20120810#InternalServerError")
UNAVAILABLE = (503, "com.amazonaws.dynamodb.v20120810#ServiceUnavailableException")
BAD_GATEWAY = (502, "")  # a proxy's HTML page, no DynamoDB error type
LISTING = "query($id: ID!) { listing(id: $id) { id title } }"


class _Body:
    """The `raw` of an AioAWSResponse: aiobotocore awaits `raw.read()`."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self) -> bytes:
        return self._data


def aws_response(url: str, status: int, body: dict[str, Any]) -> AioAWSResponse:
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}
    return AioAWSResponse(url, status, headers, _Body(json.dumps(body).encode()))


def error_response(url: str, fault: tuple[int, str]) -> AioAWSResponse:
    status, error_type = fault
    if not error_type:
        page = b"<html><body>502 Bad Gateway: injected fault</body></html>"
        return AioAWSResponse(url, status, {"Content-Type": "text/html"}, _Body(page))
    return aws_response(url, status, {"__type": error_type, "message": "injected fault"})


def tables_of(request: Any) -> set[str]:
    body = json.loads(request.body or b"{}")
    return {body["TableName"]} if "TableName" in body else set(body.get("RequestItems", {}))


@contextmanager
def injected(
    client: Any, handler: Callable[..., AioAWSResponse | None], unique_id: str = "fault"
) -> Iterator[None]:
    client.meta.events.register("before-send.dynamodb", handler, unique_id=unique_id)
    try:
        yield
    finally:
        client.meta.events.unregister("before-send.dynamodb", unique_id=unique_id)


@asynccontextmanager
async def own_client(settings: Settings, **overrides: Any) -> AsyncIterator[Any]:
    async with open_dynamodb(settings.model_copy(update=overrides)) as client:
        yield client


def throttle_all(request: Any, **_: Any) -> AioAWSResponse:
    return error_response(request.url, THROTTLE)


# -- deadline ---------------------------------------------------------------------------


@pytest.mark.parametrize("attempts", [4, 10])
async def test_full_throttling_ends_every_request_by_the_deadline(
    ddb: Any, settings: Settings, attempts: int
) -> None:
    # With 10 attempts, botocore's back-off alone would wait ~1+2+4+8+16+20+20+20+20 s:
    # only the 5 s request deadline (GRAPH_REQUEST_DEADLINE_SECONDS) ends those requests.
    assert settings.request_deadline_seconds == 5.0
    # All 8 at once, each for the whole deadline: a pool that runs them all (this test is
    # about the deadline; the default pool of 4 would answer the other 4 THROTTLED).
    eight = settings.model_copy(update={"max_in_flight": 8})
    async with (
        own_client(settings, dynamodb_max_attempts=attempts) as client,
        gateway_with(ddb, eight, {"kicks": Limits()}, client=client) as gw,
    ):
        with injected(client, throttle_all):
            started = time.perf_counter()

            async def timed(listing_id: str) -> tuple[float, dict[str, Any]]:
                body = await gw.gql(LISTING, {"id": listing_id})
                return time.perf_counter() - started, body

            results = await asyncio.gather(*(timed(f"lst-{n:04d}") for n in range(1, 9)))
    elapsed = [round(seconds, 2) for seconds, _ in results]
    print(f"\n100% throttling, {attempts} attempts: requests ended after {elapsed} s")
    for _, body in results:
        assert codes(body) == ["UNAVAILABLE"], body
        assert body["errors"][0]["extensions"]["retryable"] is True
        assert body["data"] == {"listing": None}
    # The one timing assertion allowed: a generous upper bound proving the 5 s deadline
    # (plus scheduling margin), not a performance figure.
    assert max(elapsed) < 8.0


# -- retries absorb sporadic faults -----------------------------------------------------


async def test_ten_percent_faults_over_two_thousand_requests(ddb: Any, settings: Settings) -> None:
    rng = random.Random(20_240_601)
    faults = [THROTTLE, INTERNAL, UNAVAILABLE]
    injected_count = 0

    def sometimes(request: Any, **_: Any) -> AioAWSResponse | None:
        nonlocal injected_count
        if rng.random() < 0.10:
            injected_count += 1
            return error_response(request.url, faults[injected_count % len(faults)])
        return None

    async with (
        own_client(settings) as client,
        gateway_with(ddb, settings, {"kicks": Limits()}, client=client) as gw,
    ):
        # Stay within the tenant's cap and the process's pool (all of it: one tenant):
        # this test is about faults, not limits.
        slots = asyncio.Semaphore(min(Limits().max_concurrency, settings.max_in_flight))
        ids = [f"lst-{rng.randint(1, 320):04d}" for _ in range(2_000)]

        async def one(listing_id: str) -> bool:
            async with slots:
                response = await gw.post(LISTING, {"id": listing_id})
            body = response.json()
            return (
                response.status_code == 200
                and "errors" not in body
                and body["data"]["listing"]["id"] == listing_id
            )

        started = time.perf_counter()
        with injected(client, sometimes):
            outcomes = await asyncio.gather(*(one(i) for i in ids))
        elapsed = time.perf_counter() - started
    rate = sum(outcomes) / len(outcomes)
    print(
        f"\n10% faults: {injected_count} injected over {len(ids)} requests, "
        f"{rate:.2%} succeeded in {elapsed:.1f} s"
    )
    assert injected_count > 100
    assert rate >= 0.995


@pytest.mark.parametrize(
    "fault", [INTERNAL, UNAVAILABLE, BAD_GATEWAY], ids=["500", "503", "502-html"]
)
async def test_exhausted_5xx_retries_are_unavailable(
    ddb: Any, settings: Settings, fault: tuple[int, str]
) -> None:
    seen = 0

    def always(request: Any, **_: Any) -> AioAWSResponse:
        nonlocal seen
        seen += 1
        return error_response(request.url, fault)

    async with (
        own_client(settings) as client,
        gateway_with(ddb, settings, {"kicks": Limits()}, seed=False, client=client) as gw,
    ):
        with injected(client, always):
            body = await gw.gql(LISTING, {"id": "lst-0001"})
    assert codes(body) == ["UNAVAILABLE"], body
    # botocore retried, then gave up (or the 5 s deadline ended its back-off first).
    assert 2 <= seen <= settings.dynamodb_max_attempts
    text = json.dumps(body)
    assert "injected fault" not in text
    assert "ServiceUnavailable" not in text


# -- BatchGetItem leaving keys unprocessed ----------------------------------------------


async def test_unprocessed_keys_are_fetched_again_each_returned_once_in_order(
    ddb: Any, settings: Settings
) -> None:
    items = {i["listingId"]: i for i in demo.dataset("kicks")["listings"]}
    wanted = ["lst-0042", "lst-0007", "nope", "lst-0300", "lst-0007", "lst-0111", "lst-0012"]
    batches: list[list[str]] = []

    def partial_first(request: Any, **_: Any) -> AioAWSResponse | None:
        if not request.url or b"RequestItems" not in (request.body or b""):
            return None
        (table, spec), *_ = json.loads(request.body)["RequestItems"].items()
        keys = [k["listingId"]["S"] for k in spec["Keys"]]
        batches.append(keys)
        if len(batches) > 1:
            return None  # later attempts reach DynamoDB Local
        done, left = keys[: len(keys) // 2], keys[len(keys) // 2 :]
        return aws_response(
            request.url,
            200,
            {
                "Responses": {table: [to_wire(items[k]) for k in done if k in items]},
                "UnprocessedKeys": {table: {"Keys": [{"listingId": {"S": k}} for k in left]}},
                "ConsumedCapacity": [{"TableName": table, "CapacityUnits": 1.0}],
            },
        )

    async with (
        own_client(settings) as client,
        gateway_with(ddb, settings, {"kicks": Limits()}, client=client) as gw,
    ):
        with injected(client, partial_first):
            body = await gw.gql(  # a write key: it is shown the DynamoDB calls
                "query($ids: [ID!]!) { listings(ids: $ids) { id title } }",
                {"ids": wanted},
                scope="write",
            )
    assert "errors" not in body, body
    got = [x["id"] if x else None for x in body["data"]["listings"]]
    assert got == [k if k in items else None for k in wanted]
    assert [x["title"] for x in body["data"]["listings"] if x] == [
        items[k]["title"] for k in wanted if k in items
    ]
    unique = list(dict.fromkeys(wanted))
    assert batches[0] == unique  # one key once, even when asked twice
    assert sorted(batches[1]) == sorted(unique[len(unique) // 2 :])  # only the unprocessed
    assert body["extensions"]["cost"]["dynamodbCalls"] == 2


# -- a page's sellers read ahead ----------------------------------------------------------

PAGE_SELLERS = """query($first: Int!) { productListings(productId: "prd-001", first: $first) {
  edges { node { id seller { displayName } } } } }"""


async def test_a_failed_seller_read_nulls_each_seller_and_keeps_the_page(
    ddb: Any, settings: Settings
) -> None:
    """The product page reads its sellers ahead, in one batch; when that read fails,
    the page still answers, and each node's `seller` reports the failure as its own
    field error (the read is not made again per node)."""
    sent: list[str] = []

    def sellers_fail(request: Any, **_: Any) -> AioAWSResponse | None:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).split(".")[-1]
        sent.append(operation)
        if operation == "BatchGetItem":
            return error_response(request.url, INTERNAL)
        return None

    async with (
        own_client(settings, dynamodb_max_attempts=2) as client,
        gateway_with(ddb, settings, {"kicks": Limits()}, client=client) as gw,
    ):
        with injected(client, sellers_fail):
            body = await gw.gql(PAGE_SELLERS, {"first": 5})
    edges = body["data"]["productListings"]["edges"]
    assert len(edges) == 5
    assert all(edge["node"]["id"] and edge["node"]["seller"] is None for edge in edges)
    assert codes(body) == ["UNAVAILABLE"] * 5
    assert sorted(tuple(e["path"]) for e in body["errors"]) == [
        ("productListings", "edges", n, "node", "seller") for n in range(5)
    ]
    assert sent == ["Query", "BatchGetItem", "BatchGetItem"]  # one read, botocore's 2 attempts
