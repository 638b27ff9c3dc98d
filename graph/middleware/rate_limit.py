"""RateLimit: per-tenant concurrency cap and the RateLimit-* headers; 429 when throttled.

For every /graphql request with a tenant:

1. it takes one of the tenant's `max_concurrency` slots, waiting at most
   `wait_seconds` for one; none free -> 429 THROTTLED (`Retry-After: 1`), so one tenant
   cannot hold every worker of the process;
2. it opens the request's `Admission` (graph.limits.buckets); the schema extension
   charges the operation's cost to the tenant's token bucket after validation, before
   execution, and marks the admission when the bucket is empty;
3. the response gets `RateLimit-Limit` (bucket capacity), `RateLimit-Remaining` (tokens
   left) and `RateLimit-Reset` (seconds until full) per the IETF draft
   (draft-ietf-httpapi-ratelimit-headers), plus status 429 and `Retry-After` when the
   bucket said no.

The state is per process: see graph/limits/buckets.py for multi-instance deployments.
"""

from __future__ import annotations

import asyncio
import math

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import Throttled
from graph.limits.buckets import Admission, TenantGuards, TokenBucket, current_admission
from graph.responses import error_response
from graph.tenancy import Principal


def rate_headers(bucket: TokenBucket) -> dict[str, str]:
    window = max(1, math.ceil(bucket.capacity / bucket.rate))
    return {
        "RateLimit-Limit": str(int(bucket.capacity)),
        "RateLimit-Remaining": str(bucket.remaining),
        "RateLimit-Reset": str(bucket.reset),
        "RateLimit-Policy": f"{int(bucket.capacity)};w={window}",
    }


async def acquire(slots: asyncio.Semaphore, wait: float) -> bool:
    """Take a slot, waiting at most `wait` seconds; False when none came free."""
    if not slots.locked():
        await slots.acquire()
        return True
    waiter = asyncio.ensure_future(slots.acquire())
    try:
        await asyncio.wait({waiter}, timeout=wait)
    finally:
        if not waiter.done():
            waiter.cancel()
    await asyncio.wait({waiter})
    # A waiter woken just before its cancellation still holds the slot: keep it.
    return not waiter.cancelled()


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        guards: TenantGuards | None = None,
        wait_seconds: float = 0.25,
        paths: frozenset[str] = frozenset({"/graphql"}),
    ) -> None:
        self.app = app
        self.guards = guards if guards is not None else TenantGuards()
        self.wait_seconds = wait_seconds
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal: Principal | None = scope.get("state", {}).get("principal")
        if scope["type"] != "http" or scope["path"] not in self.paths or principal is None:
            await self.app(scope, receive, send)
            return
        limits = principal.tenant.limits
        guard = self.guards.for_tenant(principal.tenant.id, limits)
        if not await acquire(guard.slots, self.wait_seconds):
            error = Throttled(
                f"Too many requests in flight for this tenant (at most {limits.max_concurrency} "
                "at once); retry in a moment.",
                retryAfter=1,
                limit={"name": "maxConcurrency", "value": limits.max_concurrency},
            )
            headers = {**rate_headers(guard.bucket), "Retry-After": "1"}
            response = error_response(error, scope.get("state", {}).get("request_id", ""), headers)
            await response(scope, receive, send)
            return
        admission = Admission(guard.bucket)
        token = current_admission.set(admission)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in rate_headers(guard.bucket).items():
                    headers[name] = value
                if admission.retry_after is not None:
                    message["status"] = 429
                    headers["Retry-After"] = str(admission.retry_after)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            current_admission.reset(token)
            guard.slots.release()
