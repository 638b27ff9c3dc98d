"""TenantCORS: CORS headers only for the calling tenant's registered origins.

A preflight carries no API key, so it is answered for origins registered by some
tenant; the real response gets `Access-Control-Allow-Origin` only when the origin
belongs to the tenant the key resolved to, so a browser on another tenant's site
cannot read it.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.tenancy import Principal

ALLOW_HEADERS = "Content-Type, X-Api-Key, Authorization, X-Request-Id, Idempotency-Key"
EXPOSE_HEADERS = "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"


class TenantCORSMiddleware:
    def __init__(
        self, app: ASGIApp, *, known_origin: Callable[[str], bool], max_age: int = 600
    ) -> None:
        self.app = app
        self.known_origin = known_origin
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                principal: Principal | None = scope.get("state", {}).get("principal")
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if principal is not None and origin in principal.tenant.config.origins:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, origin: str, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {"Vary": "Origin"}
        if self.known_origin(origin):
            headers.update(
                {
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": ALLOW_HEADERS,
                    "Access-Control-Max-Age": str(self.max_age),
                }
            )
            response = PlainTextResponse("", status_code=204, headers=headers)
        else:
            response = PlainTextResponse("Origin not allowed.", status_code=400, headers=headers)
        await response(scope, receive, send)
