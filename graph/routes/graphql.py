"""The /graphql endpoint: routes each request to its tenant's graph, nothing more.

The tenant comes from the API key alone (graph/middleware/tenant.py put the principal in
the request state); its TenantGraph (graph/tenancy/tenant_graph.py) admits the request (its
gate, over the process's fair pool) and owns the schema, the view and the store.
Without a key, GET serves the playground page.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from graph.errors import InternalError, Unauthenticated
from graph.extensions import ExtensionError
from graph.extensions.sdl import sdl
from graph.http.responses import error_response
from graph.http.state import request_state
from graph.playground import playground_page
from graph.playground.examples import picker_config
from graph.registry.tenants import Principal
from graph.tenancy.runtime import Runtime
from graph.tenancy.tenant_graph import TenantGraph

log = logging.getLogger(__name__)


class GraphQLEndpoint:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _graph_or_error(self, principal: Principal) -> TenantGraph | InternalError:
        try:
            graph = self.runtime.graph_of(principal)
            graph.schema_for(principal)  # built here, so a broken extension is caught here
        except ExtensionError as exc:
            log.exception("tenant %s: schema build failed", principal.tenant.id)
            return InternalError(
                # dev: the brand's developer is the caller; show what to fix.
                f"This brand's extension could not be loaded:\n{exc}"
                if self.runtime.settings.stage == "dev"
                else "This brand's API schema could not be built; the operators have been "
                "alerted. Other brands are not affected."
            )
        return graph

    async def sdl(self, request: Request) -> Response:
        """GET /schema.graphql: the caller's schema as SDL (what its key may see)."""
        state = request_state(request.scope)
        if state.principal is None:
            return error_response(Unauthenticated("An API key is required."), state.request_id)
        found = self._graph_or_error(state.principal)
        if isinstance(found, InternalError):
            return error_response(found, state.request_id)
        schema = found.schema_for(state.principal)
        return PlainTextResponse(sdl(schema), media_type="text/plain; charset=utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = request_state(scope)
        if state.principal is not None:
            found = self._graph_or_error(state.principal)
            if isinstance(found, InternalError):
                await error_response(found, state.request_id)(scope, receive, send)
                return
            await found.gate.serve(
                found.view(state.principal),
                scope,
                receive,
                send,
                pool=self.runtime.pool,
                wait=self.runtime.settings.concurrency_wait_seconds,
                pause=self.runtime.throttle_pause,
                request_id=state.request_id,
            )
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
        response = error_response(Unauthenticated("An API key is required."), state.request_id)
        await response(scope, receive, send)
