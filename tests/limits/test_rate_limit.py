"""Rate and concurrency per tenant: a token bucket charged by cost before execution, and a
concurrency cap; one tenant over its budget never blocks another."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from graph.limits.buckets import TokenBucket
from graph.registry.tenants import Limits
from graph.settings import Settings
from tests.conftest import CallRecorder
from tests.limits.test_limits import codes, gateway_with
from tests.store.test_faults import injected, own_client, tables_of

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


def test_the_door_wants_what_the_last_operation_needed() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, capacity=100, clock=clock)
    assert bucket.door_wait() == 0  # nothing asked yet: one token lets a request in
    assert bucket.take(60).allowed
    # 40 left: the same operation could not pass, so the door says so before parsing,
    # though a cheaper operation costed at `take` still could.
    assert bucket.door_wait() == 2
    assert bucket.wait_for(30) == 0
    refused = bucket.take(90)
    assert not refused.allowed
    assert bucket.door_wait() == refused.retry_after == 5  # 50 missing for the 90
    clock.now += 5
    assert bucket.door_wait() == 0
    # Dearer than the whole burst (100): the door waits for a full bucket, not for more.
    assert bucket.take(250).retry_after == 1  # 90 there: refusals take nothing
    assert bucket.door_wait() == 1
    clock.now += 1
    assert bucket.door_wait() == 0
    assert bucket.take(250).allowed
    assert bucket.door_wait() == 25  # 150 in debt, and a full bucket wanted again


async def test_a_tenant_over_its_bucket_gets_429_while_another_gets_200(
    ddb: Any, settings: Settings, calls: CallRecorder
) -> None:
    small = Limits(cost_burst=50, cost_per_second=1)
    async with gateway_with(ddb, settings, {"kicks": small, "threads": Limits()}) as gw:
        # Rejected documents cost nothing but still report the bucket.
        invalid = await gw.post("{ nope }", tenant="kicks")
        assert invalid.status_code == 200
        assert codes(invalid.json()) == ["GRAPHQL_VALIDATION_FAILED"]
        assert invalid.headers["RateLimit-Remaining"] == "50"

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

        # Until the bucket could pay for the last operation again, the door refuses
        # whatever comes, unparsed: even a document that would not validate.
        unparsed = await gw.post("{ nope }", tenant="kicks")
        assert unparsed.status_code == 429
        assert codes(unparsed.json()) == ["THROTTLED"]
        assert all(name in unparsed.headers for name in RATE_HEADERS)


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


async def test_a_refusal_in_a_shared_process_is_answered_after_a_pause(
    ddb: Any, settings: Settings
) -> None:
    """A client retrying without waiting sends one request per connection per pause, and
    the pause is a timer: the other tenant is served meanwhile."""
    paused = settings.model_copy(update={"throttle_pause_seconds": 2.0})
    small = Limits(cost_burst=50, cost_per_second=1)
    async with gateway_with(ddb, paused, {"kicks": small, "threads": Limits()}) as gw:
        assert (await gw.post(PAGE, tenant="kicks")).status_code == 200
        started = time.monotonic()
        retries = [asyncio.create_task(gw.post(PAGE, tenant="kicks")) for _ in range(5)]
        other = await gw.post(PAGE, tenant="threads")
        assert other.status_code == 200, other.text
        assert not any(task.done() for task in retries)
        refused = await asyncio.gather(*retries)
        assert time.monotonic() - started >= 2.0
    assert [r.status_code for r in refused] == [429] * 5
    assert {codes(r.json())[0] for r in refused} == {"THROTTLED"}
    assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)


async def test_the_pause_defaults_to_the_slot_wait_only_where_tenants_share_a_process(
    ddb: Any, settings: Settings
) -> None:
    async with gateway_with(ddb, settings, {"kicks": Limits(), "threads": Limits()}) as gw:
        assert gw.runtime.throttle_pause == settings.concurrency_wait_seconds > 0
    async with gateway_with(ddb, settings, {"kicks": Limits()}, seed=False) as gw:
        assert gw.runtime.throttle_pause == 0  # a tenant's own Lambda: answer at once
    explicit = settings.model_copy(update={"throttle_pause_seconds": 0.0})
    async with gateway_with(
        ddb, explicit, {"kicks": Limits(), "threads": Limits()}, seed=False
    ) as gw:
        assert gw.runtime.throttle_pause == 0
