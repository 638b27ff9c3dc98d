"""The /graphql endpoint: dispatches each request to its tenant's schema."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from graph.context import Context
from graph.errors import InternalError, Unauthenticated
from graph.extensions import ExtensionError
from graph.extensions.sdl import sdl
from graph.limits.view import GuardedGraphQL
from graph.persisted_queries import PersistedQueries
from graph.playground import playground_page
from graph.playground.examples import picker_config
from graph.responses import error_response
from graph.runtime import Runtime
from graph.store import StoreStats
from graph.tenancy import Principal, Tenant

log = logging.getLogger(__name__)


class TenantGraphQL(GuardedGraphQL):
    """Strawberry's ASGI view for one tenant's schema, with our per-request context
    (GuardedGraphQL: JSON errors only, persisted queries, last-line error masking)."""

    def __init__(
        self, runtime: Runtime, tenant: Tenant, schema: Any, persisted: PersistedQueries
    ) -> None:
        # No IDE here: the self-hosted playground page is served without a key.
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.runtime = runtime
        self.tenant = tenant
        # Built together with `schema`: the two always match, even across a reload.
        self.extension = runtime.extension_for(tenant)
        self.persisted = persisted  # one per tenant: its APQ cache or safelist

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.scope.get("state", {})
        principal: Principal | None = state.get("principal")
        if principal is None:
            raise Unauthenticated("An API key is required.")
        stats = StoreStats()
        state["store_stats"] = stats
        store = await self.runtime.store_for(principal, stats)
        return Context(
            request_id=state.get("request_id", ""),
            principal=principal,
            store=store,
            loaders=self.runtime.loaders_for(store),
            extension=self.extension,
            idempotency_key=request.headers.get("idempotency-key"),
        )


class GraphQLEndpoint:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._views: dict[tuple[str, bool], TenantGraphQL] = {}
        self._persisted: dict[str, PersistedQueries] = {}

    def view_for(self, principal: Principal) -> TenantGraphQL:
        """The view over the schema this key may see (private fields need write)."""
        tenant = principal.tenant
        private = principal.can("write")
        schema = self.runtime.schema_for(tenant, private=private)
        view = self._views.get((tenant.id, private))
        if view is None or view.schema is not schema:  # new, or the extension was edited
            persisted = self._persisted.get(tenant.id)
            if persisted is None:
                persisted = PersistedQueries.for_tenant(tenant, self.runtime.settings)
                self._persisted[tenant.id] = persisted
            view = TenantGraphQL(self.runtime, tenant, schema, persisted)
            self._views[(tenant.id, private)] = view
        return view

    async def sdl(self, request: Request) -> Response:
        """GET /schema.graphql: the caller's schema as SDL (what its key may see)."""
        principal: Principal | None = request.scope.get("state", {}).get("principal")
        if principal is None:
            return error_response(Unauthenticated("An API key is required."), "")
        schema = self.runtime.schema_for(principal.tenant, private=principal.can("write"))
        return PlainTextResponse(sdl(schema), media_type="text/plain; charset=utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state: dict[str, Any] = scope.get("state", {})
        principal: Principal | None = state.get("principal")
        if principal is not None:
            try:
                view = self.view_for(principal)
            except ExtensionError as exc:
                log.exception("tenant %s: schema build failed", principal.tenant.id)
                error = InternalError(
                    # dev: the brand's developer is the caller; show what to fix.
                    f"This brand's extension could not be loaded:\n{exc}"
                    if self.runtime.settings.stage == "dev"
                    else "This brand's API schema could not be built; the operators have been "
                    "alerted. Other brands are not affected."
                )
                await error_response(error, state.get("request_id", ""))(scope, receive, send)
                return
            await view(scope, receive, send)
            return
        if scope["method"] == "GET" and self.runtime.settings.graphiql_enabled:
            # The playground page only (the auth layer let it through without a key).
            key = self.runtime.settings.playground_default_key
            registry = self.runtime.registry
            page = playground_page(
                assets_dir=self.runtime.settings.playground_assets,
                default_headers={"X-Api-Key": key} if key else None,
                picker=picker_config(sorted(registry.tenants), registry.authenticate),
            )
            await page(scope, receive, send)
            return
        response = error_response(
            Unauthenticated("An API key is required."), state.get("request_id", "")
        )
        await response(scope, receive, send)
