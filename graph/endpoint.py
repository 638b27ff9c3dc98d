"""The /graphql endpoint: dispatches each request to its tenant's schema."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graph.context import Context
from graph.errors import Unauthenticated
from graph.responses import error_response
from graph.runtime import Runtime
from graph.store import StoreStats
from graph.tenancy import Principal, Tenant


class TenantGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view for one tenant's schema, with our per-request context."""

    def __init__(self, runtime: Runtime, tenant: Tenant | None) -> None:
        schema = runtime.schema_for(tenant) if tenant else runtime.playground_schema()
        super().__init__(
            schema,
            graphql_ide="graphiql" if runtime.settings.graphiql_enabled else None,
            allow_queries_via_get=True,
        )
        self.runtime = runtime

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
            idempotency_key=request.headers.get("idempotency-key"),
        )


class GraphQLEndpoint:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._views: dict[str, TenantGraphQL] = {}
        self._playground: TenantGraphQL | None = None

    def view_for(self, tenant: Tenant) -> TenantGraphQL:
        view = self._views.get(tenant.id)
        if view is None:
            view = self._views[tenant.id] = TenantGraphQL(self.runtime, tenant)
        return view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state: dict[str, Any] = scope.get("state", {})
        principal: Principal | None = state.get("principal")
        if principal is not None:
            await self.view_for(principal.tenant)(scope, receive, send)
            return
        if scope["method"] == "GET" and self.runtime.settings.graphiql_enabled:
            # The playground page only (the auth layer let it through without a key).
            if self._playground is None:
                self._playground = TenantGraphQL(self.runtime, None)
            await HTMLResponse(self._playground.graphql_ide_html)(scope, receive, send)
            return
        response = error_response(
            Unauthenticated("An API key is required."), state.get("request_id", "")
        )
        await response(scope, receive, send)
