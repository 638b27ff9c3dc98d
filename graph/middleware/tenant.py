"""TenantResolution: the API key picks the tenant, once, before anything else runs.

The key comes from `X-Api-Key` or `Authorization: Bearer <key>`. The principal it
resolves to is put in the request state (graph/http/state.py); nothing a client
sends in the body, in arguments or in cursors can change it.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.errors import GatewayError, Unauthenticated
from graph.http.responses import error_response
from graph.http.state import request_state
from graph.registry.tenants import Principal


class AmbiguousCredentials(Exception):
    """The request carries more than one API key."""


def api_key_from(headers: Headers) -> str:
    """The one API key of a request, from `X-Api-Key` or `Authorization: Bearer`.

    Several keys (two `X-Api-Key` headers, or an `X-Api-Key` beside a different bearer
    token) are refused rather than resolved by a rule the client may not expect."""
    given = [key.strip() for key in headers.getlist("x-api-key")]
    bearers = [
        token.strip()
        for scheme, _, token in (v.partition(" ") for v in headers.getlist("authorization"))
        if scheme.lower() == "bearer"
    ]
    distinct = {key for key in (*given, *bearers) if key}
    if len(given) > 1 or len(bearers) > 1 or len(distinct) > 1:
        raise AmbiguousCredentials
    return next(iter(distinct), "")


class TenantResolutionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Callable[[str], Principal | None],
        public_paths: frozenset[str] = frozenset({"/healthz"}),
        ide_paths: frozenset[str] = frozenset({"/graphql"}),
        ide_enabled: bool = True,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.public_paths = public_paths
        self.ide_paths = ide_paths
        self.ide_enabled = ide_enabled

    def _is_ide_page(self, scope: Scope, headers: Headers) -> bool:
        return (
            self.ide_enabled
            and scope["method"] == "GET"
            and scope["path"] in self.ide_paths
            and "text/html" in headers.get("accept", "")
            and not scope.get("query_string")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.public_paths:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":  # CORS preflight: answered by the CORS layer
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            key = api_key_from(headers)
        except AmbiguousCredentials:
            ambiguous = Unauthenticated(
                "The request carries more than one API key (several `X-Api-Key` headers, or "
                "an `X-Api-Key` and a different `Authorization: Bearer`); send exactly one key."
            )
            request_id = request_state(scope).request_id
            response = error_response(ambiguous, request_id, {"WWW-Authenticate": "ApiKey"})
            await response(scope, receive, send)
            return
        principal = self.authenticate(key) if key else None
        if principal is None:
            if not key and self._is_ide_page(scope, headers):
                await self.app(scope, receive, send)  # the playground page itself is public
                return
            error: GatewayError = Unauthenticated(
                "An API key is required: send it as `X-Api-Key: <key>` or "
                "`Authorization: Bearer <key>`."
                if not key
                else "The API key is not valid. Check for typos or ask for a new key."
            )
            request_id = request_state(scope).request_id
            response = error_response(error, request_id, {"WWW-Authenticate": "ApiKey"})
            await response(scope, receive, send)
            return
        request_state(scope).principal = principal
        await self.app(scope, receive, send)
