"""Rate and concurrency per tenant: a token bucket charged by cost before execution, and a
concurrency cap; one tenant over its budget never blocks another."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from graph.limits.buckets import TokenBucket
from graph.settings import Settings
from graph.tenancy import Limits
from tests.conftest import CallRecorder
from tests.test_faults import injected, own_client, tables_of
from tests.test_limits import codes, gateway_with

# node = 1 + id + title = 3; edges = 4; productListings = 1 + 10 * 4 = 41
PAGE = '{ productListings(productId: "prd-001", first: 10) { edges { node { id title } } } }'
RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_refills_and_can_go_into_debt() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, capacity=100, clock=clock)
    assert bucket.take(60).allowed
    assert bucket.remaining == 40
    refused = bucket.take(60)
    assert not refused.allowed
    assert refused.retry_after == 2  # 20 tokens missing at 10 per second
    clock.now += 2
    assert bucket.take(60).allowed
    assert bucket.reset == 10  # 0 left: 100 / 10 per second until full
    # An operation dearer than the whole burst runs on a full bucket, then the tenant waits.
    clock.now += 10
    assert bucket.take(250).allowed
    assert bucket.remaining == 0
    assert bucket.take(1).retry_after == 16  # 150 in debt, 1 more needed


async def test_a_tenant_over_its_bucket_gets_429_while_another_gets_200(
    ddb: Any, settings: Settings, calls: CallRecorder
) -> None:
    small = Limits(cost_burst=50, cost_per_second=1)
    async with gateway_with(ddb, settings, {"kicks": small, "threads": Limits()}) as gw:
        first = await gw.post(PAGE, tenant="kicks")
        assert first.status_code == 200
        assert first.json()["extensions"]["cost"]["requested"] == 41
        # Charged the estimate before execution, settled on the actual cost after it.
        actual = first.json()["extensions"]["cost"]["actual"]
        assert 0 < actual < 41
        assert first.headers["RateLimit-Limit"] == "50"
        assert first.headers["RateLimit-Remaining"] == str(50 - actual)
        assert first.headers["RateLimit-Reset"] == str(actual)

        calls.reset()
        second = await gw.post(PAGE, tenant="kicks")
        assert second.status_code == 429
        body = second.json()
        assert codes(body) == ["THROTTLED"]
        assert body["data"] is None
        retry_after = int(second.headers["Retry-After"])
        missing = 41 - (50 - actual)  # tokens missing for the estimate, at 1 per second
        assert retry_after in (missing - 1, missing)
        assert body["errors"][0]["extensions"]["retryAfter"] == retry_after
        assert all(name in second.headers for name in RATE_HEADERS)
        assert calls.count() == 0  # charged before execution: nothing ran

        other = await gw.post(PAGE, tenant="threads")
        assert other.status_code == 200, other.text
        assert "errors" not in other.json()
        assert other.headers["RateLimit-Limit"] == "20000"
        assert int(other.headers["RateLimit-Remaining"]) >= 20000 - 41

        # Rejected documents cost nothing but still report the bucket.
        invalid = await gw.post("{ nope }", tenant="kicks")
        assert invalid.status_code == 200
        assert codes(invalid.json()) == ["GRAPHQL_VALIDATION_FAILED"]
        assert all(name in invalid.headers for name in RATE_HEADERS)


async def test_concurrency_cap_throttles_one_tenant_not_the_other(
    ddb: Any, settings: Settings
) -> None:
    async with (
        own_client(settings) as client,
        gateway_with(
            ddb, settings, {"kicks": Limits(max_concurrency=1), "threads": Limits()}, client=client
        ) as gw,
    ):
        kicks_tables = set(gw.tenants["kicks"].tables.all())

        async def slow_kicks(request: Any, **_: Any) -> None:
            if tables_of(request) & kicks_tables:
                await asyncio.sleep(0.6)

        with injected(client, slow_kicks, unique_id="slow"):
            kicks = [gw.post(PAGE, tenant="kicks") for _ in range(3)]
            threads = [gw.post(PAGE, tenant="threads") for _ in range(3)]
            responses = await asyncio.gather(*kicks, *threads)
    kicks_status = sorted(r.status_code for r in responses[:3])
    assert kicks_status == [200, 429, 429]
    for response in responses[:3]:
        if response.status_code == 429:
            body = response.json()
            assert codes(body) == ["THROTTLED"]
            assert body["errors"][0]["extensions"]["limit"] == {
                "name": "maxConcurrency",
                "value": 1,
            }
            assert response.headers["Retry-After"] == "1"
    assert [r.status_code for r in responses[3:]] == [200, 200, 200]
    assert all("errors" not in json.loads(r.text) for r in responses[3:])
