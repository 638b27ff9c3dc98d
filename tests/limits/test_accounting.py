"""Cost and metrics tell the truth: a masked internal error is a server error in the EMF
metrics and an ERROR log line with its stack; the static cost bounds the real work and
the tenant's bucket pays the actual cost."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from graph.bounds import FILTERED_PAGE_MAX_CALLS
from graph.limits.extension import resolved_fields
from graph.registry.tenants import Limits
from graph.settings import Settings
from tests.limits.test_limits import gateway_with
from tests.store.test_faults import aws_response, injected, own_client


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def validation_error(request: Any, **_: Any) -> Any:
    return aws_response(
        request.url,
        400,
        {"__type": "com.amazon.coral.validate#ValidationException", "message": "injected"},
    )


async def test_a_masked_internal_error_is_counted_and_logged_at_error(
    ddb: Any, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with gateway_with(ddb, settings, {"kicks": Limits()}) as gw:
        capsys.readouterr()
        with injected(ddb, validation_error):
            response = await gw.post('{ listing(id: "lst-0001") { id } }')
        assert response.status_code == 200  # GraphQL answers it as data: null + an error
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        out = lines(capsys.readouterr().out)
        emf = [line for line in out if "_aws" in line]
        assert [line["ServerErrors"] for line in emf] == [[1.0]]
        request_lines = [line for line in out if line.get("path") == "/graphql"]
        assert [line["level"] for line in request_lines] == ["ERROR"]
        assert request_lines[0]["internalErrors"] == 1
        # A clean request after it counts nothing.
        await gw.post('{ listing(id: "lst-0001") { id } }')
        emf = [line for line in lines(capsys.readouterr().out) if "_aws" in line]
        assert [line["ServerErrors"] for line in emf] == [[0.0]]


def test_resolved_fields_counts_every_entry_of_every_object() -> None:
    data = {"a": {"b": [{"c": 1, "d": None}, {"c": 2, "d": {"e": 3}}]}, "f": None}
    assert resolved_fields(data) == 2 + 1 + 2 + 2 + 1
    assert resolved_fields(None) == 0


NO_MATCH = (
    '{ productListings(productId: "prd-001", first: 1, '
    'where: {releaseDate: {gte: "2999-01-01T00:00:00Z"}}) '
    "{ edges { node { id } } pageInfo { hasNextPage endCursor } } }"
)
FULL_PAGE = (
    '{ productListings(productId: "prd-001", first: 100) '
    "{ edges { node { id title price { amount currency } } } } }"
)


@pytest.mark.parametrize("scope", ["read", "write"])
@pytest.mark.parametrize("document", [NO_MATCH, FULL_PAGE])
async def test_static_cost_bounds_the_work_and_the_bucket_pays_the_actual_cost(
    ddb: Any, settings: Settings, document: str, scope: str
) -> None:
    # A bucket that refills too slowly to matter during the test.
    limits = Limits(cost_per_second=0.001, cost_burst=20_000)
    async with gateway_with(ddb, settings, {"kicks": limits}) as gw:
        before = await gw.post("{ __typename }", scope=scope)
        start = int(before.headers["RateLimit-Remaining"])
        response = await gw.post(document, scope=scope)
        body = response.json()
        assert "errors" not in body, body
        cost = body["extensions"]["cost"]
        assert cost["actual"] <= cost["requested"]
        fields = resolved_fields(body["data"])
        assert cost["actual"] >= fields
        assert int(response.headers["RateLimit-Remaining"]) == start - cost["actual"]
        # Only keys that may read private fields are shown the calls (they grow with them).
        calls = cost.get("dynamodbCalls")
        assert (calls is None) == (scope == "read")
        if document == NO_MATCH:
            # The read budget is spent and charged: every Query read 2 items and kept none.
            assert calls in (None, FILTERED_PAGE_MAX_CALLS)
            assert cost["actual"] == fields + 2 * FILTERED_PAGE_MAX_CALLS
            assert cost["requested"] >= FILTERED_PAGE_MAX_CALLS * 2
        else:
            assert cost["actual"] == fields
            assert calls in (None, 1)


async def test_a_refused_operation_costs_its_tenant_nothing(ddb: Any, settings: Settings) -> None:
    limits = Limits(cost_per_second=0.001, cost_burst=20_000)
    async with gateway_with(ddb, settings, {"kicks": limits}) as gw:
        start = int((await gw.post("{ __typename }")).headers["RateLimit-Remaining"])
        response = await gw.post('{ listing(id: "lst-0001") { nope } }')
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert int(response.headers["RateLimit-Remaining"]) == start


SELLER_WITH_LISTINGS = (
    'query { seller(id: "sel-404") { id listings(first: 5) { edges { node { id } } } } }'
)


@pytest.mark.parametrize("slow", ["BatchGetItem", "Query"])
async def test_a_missing_sellers_wave_is_counted_whichever_read_returns_first(
    ddb: Any, settings: Settings, slow: str
) -> None:
    """`seller { listings }` reads the seller and its page in one wave. When there is no
    seller, both reads were still sent: the response counts both, whichever came back
    first (it once cancelled the page read in flight and counted 1 or 2 by timing)."""

    async def delay(request: Any, **_: Any) -> None:
        if request.headers.get("X-Amz-Target", b"").endswith(slow.encode()):
            await asyncio.sleep(0.3)

    async with (
        own_client(settings) as client,
        gateway_with(ddb, settings, {"kicks": Limits()}, client=client) as gw,
    ):
        with injected(client, delay, unique_id="delay"):
            body = (await gw.post(SELLER_WITH_LISTINGS, scope="write")).json()
    assert body["data"] == {"seller": None}
    assert body["extensions"]["cost"]["dynamodbCalls"] == 2
