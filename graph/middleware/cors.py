"""TenantCORS: CORS headers only for the calling tenant's registered origins.

A preflight carries no API key, so it is answered for origins registered by some
tenant; the real response gets `Access-Control-Allow-Origin` only when the origin
belongs to the tenant the key resolved to, so a browser on another tenant's site
cannot read it.

The origins come from the runtime's registry at request time (`registry()`), so a
registry swapped in while the process runs (a dev-time reload after `graph tenants
origins add`) takes effect on the next request. A refused origin is named twice: in a
warning log line (`cors refused`, with the origin, the tenant and the command that
allows it) and in the response: a preflight gets a FORBIDDEN error body (HTTP 403); a
real response, which the browser will not let the page read, carries the reason in the
`X-Origin-Refused` header, visible in the browser's network panel.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import Forbidden
from graph.http.responses import error_response
from graph.http.state import request_state
from graph.observability import logger
from graph.registry.origins import allow_command, printable_origin
from graph.registry.tenants import Principal, Registry

ALLOW_HEADERS = "Content-Type, X-Api-Key, Authorization, X-Request-Id, Idempotency-Key"
EXPOSE_HEADERS = "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
REFUSED_HEADER = "X-Origin-Refused"


class TenantCORSMiddleware:
    def __init__(
        self, app: ASGIApp, *, registry: Callable[[], Registry], max_age: int = 600
    ) -> None:
        self.app = app
        self.registry = registry
        self.max_age = max_age
        #: Every tenant's origins, for the registry object they were read from.
        self._known: tuple[Registry, frozenset[str]] | None = None

    def known_origins(self) -> frozenset[str]:
        registry = self.registry()
        if self._known is None or self._known[0] is not registry:
            origins = frozenset(o for t in registry.tenants.values() for o in t.config.origins)
            self._known = (registry, origins)
        return self._known[1]

    def tenant_origins(self, principal: Principal) -> tuple[str, ...]:
        """The origins of the principal's tenant as the registry has them now."""
        tenant = self.registry().tenants.get(principal.tenant.id, principal.tenant)
        return tenant.config.origins

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
                principal = request_state(scope).principal
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if principal is not None:
                    if origin in self.tenant_origins(principal):
                        out["Access-Control-Allow-Origin"] = origin
                        out["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
                    else:
                        tenant_id, shown = principal.tenant.id, printable_origin(origin)
                        out[REFUSED_HEADER] = (
                            f"{shown} is not an allowed origin of tenant {tenant_id}; "
                            f"allow it with: {allow_command(tenant_id, shown)}"
                        )
                        _log_refusal(scope, origin, tenant_id)
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, origin: str, scope: Scope, receive: Receive, send: Send) -> None:
        if origin in self.known_origins():
            headers = {
                "Vary": "Origin",
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": str(self.max_age),
            }
            await PlainTextResponse("", status_code=204, headers=headers)(scope, receive, send)
            return
        _log_refusal(scope, origin, None)
        error = Forbidden(
            f"CORS: the origin {printable_origin(origin)!r} is not allowed by any tenant of this "
            "gateway. A tenant's operator allows it with "
            f"`{allow_command('<tenant>', printable_origin(origin))}`."
        )
        await error_response(error, request_state(scope).request_id, {"Vary": "Origin"})(
            scope, receive, send
        )


def _log_refusal(scope: Scope, origin: str, tenant_id: str | None) -> None:
    logger.warning(
        "cors refused",
        extra={
            "origin": printable_origin(origin),
            "tenant": tenant_id,
            "path": scope.get("path"),
            "requestId": request_state(scope).request_id,
            "preflight": tenant_id is None,
            "fix": allow_command(tenant_id or "<tenant>", printable_origin(origin)),
        },
    )
