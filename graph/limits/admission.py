"""Admission: whether a tenant's request runs now, and the RateLimit-* headers.

For every /graphql request with a tenant, before any GraphQL work:

1. a tenant whose token bucket cannot pay for its last operation again
   (graph.limits.buckets) is answered 429 THROTTLED without parsing (a few
   microseconds of CPU). In a process serving several tenants the answer comes after a
   pause (`throttle_pause_seconds`), so a client retrying at once cannot spend the
   process's CPU, which the other tenants share, on refusals;
2. it takes a slot of the process's FairPool (graph/limits/fair.py) within its
   tenant's share and its `max_concurrency` cap, waiting at most `wait` seconds;
   none came -> 429 THROTTLED (`Retry-After: 1`);
3. it opens the request's `Admission` (graph.limits.buckets); the schema extension
   charges the operation's cost to the bucket after validation, before execution, and
   settles on the actual cost after it;
4. the response gets `RateLimit-Limit` (bucket capacity), `RateLimit-Remaining`
   (tokens left), `RateLimit-Reset` (seconds until full) and `RateLimit-Policy`
   (draft-ietf-httpapi-ratelimit-headers), plus 429 and `Retry-After` when the bucket
   said no.

The state is per process: see graph/limits/buckets.py for multi-instance deployments.
"""

from __future__ import annotations

import asyncio
import math

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import Throttled
from graph.http.responses import error_response
from graph.limits.buckets import Admission, TokenBucket, current_admission
from graph.limits.fair import FairPool
from graph.registry.tenants import Limits


def rate_headers(bucket: TokenBucket) -> dict[str, str]:
    window = max(1, math.ceil(bucket.capacity / bucket.rate))
    return {
        "RateLimit-Limit": str(int(bucket.capacity)),
        "RateLimit-Remaining": str(bucket.remaining),
        "RateLimit-Reset": str(bucket.reset),
        "RateLimit-Policy": f"{int(bucket.capacity)};w={window}",
    }


def delivery_refusal() -> Throttled | None:
    """Charge the next event of the running subscription (the operation's
    `current_admission`) to its tenant's bucket, as the same operation over HTTP is
    charged; THROTTLED when the bucket cannot pay: the event is then not resolved."""
    admission = current_admission.get()
    if admission is None or admission.per_event is None:
        return None
    decision = admission.deliver()
    if decision.allowed:
        return None
    bucket = admission.bucket
    return Throttled(
        f"Rate limit reached: an event of this subscription costs {admission.per_event} and "
        f"the tenant's budget ({bucket.capacity:g}, refilled at {bucket.rate:g} per second) "
        f"is spent, so this event was dropped. Events resume in {decision.retry_after} s.",
        retryAfter=decision.retry_after,
    )


class TenantGate:
    """One tenant's admission state: its limits and its token bucket."""

    def __init__(self, tenant_id: str, limits: Limits) -> None:
        self.tenant_id = tenant_id
        self.limits = limits
        self.bucket = TokenBucket(limits.cost_per_second, limits.cost_burst)

    def refusal(self) -> tuple[Throttled, int] | None:
        """THROTTLED and its Retry-After while the bucket could not pay for the tenant's
        last operation again (graph.limits.buckets: the door)."""
        retry_after = self.bucket.door_wait()
        if retry_after == 0:
            return None
        bucket = self.bucket
        message = (
            f"Rate limit reached: the tenant's budget ({bucket.capacity:g}, refilled at "
            f"{bucket.rate:g} per second) is spent. Retry in {retry_after} s."
        )
        return Throttled(message, retryAfter=retry_after), retry_after

    async def serve(
        self,
        app: ASGIApp,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        pool: FairPool,
        wait: float,
        pause: float,
        request_id: str,
    ) -> None:
        """Run `app` for this request if admitted; otherwise answer 429 without it."""
        refused = self.refusal()
        if refused is not None:
            error, retry_after = refused
            if pause > 0:
                await asyncio.sleep(pause)  # a timer, no CPU; Retry-After stays conservative
            headers = {**rate_headers(self.bucket), "Retry-After": str(retry_after)}
            await error_response(error, request_id, headers)(scope, receive, send)
            return
        cap = self.limits.max_concurrency
        if not await pool.acquire(self.tenant_id, cap, wait):
            error = Throttled(
                "Too many requests in flight for this tenant (at most "
                f"{min(cap, pool.share(self.tenant_id))} at once now, {min(cap, pool.most)} "
                "when the gateway is idle); retry in a moment.",
                retryAfter=1,
                limit={"name": "maxConcurrency", "value": cap},
            )
            headers = {**rate_headers(self.bucket), "Retry-After": "1"}
            await error_response(error, request_id, headers)(scope, receive, send)
            return
        admission = Admission(self.bucket)
        token = current_admission.set(admission)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in rate_headers(self.bucket).items():
                    headers[name] = value
                if admission.retry_after is not None:
                    message["status"] = 429
                    headers["Retry-After"] = str(admission.retry_after)
            await send(message)

        try:
            await app(scope, receive, send_with_headers)
        finally:
            current_admission.reset(token)
            pool.release(self.tenant_id)
