"""create_app(): the Starlette application, assembled declaratively."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from graph.http.responses import EXCEPTION_HANDLERS
from graph.middleware.body_limit import BodyLimitMiddleware
from graph.middleware.cors import TenantCORSMiddleware
from graph.middleware.http_cache import HttpCacheMiddleware
from graph.middleware.observability import ObservabilityMiddleware
from graph.middleware.request_id import RequestIdMiddleware
from graph.middleware.tenant import TenantResolutionMiddleware
from graph.playground import STATIC_PATHS, playground_routes
from graph.registry.tenants import load_registry
from graph.routes.graphql import GraphQLEndpoint
from graph.routes.websocket import LiveGraphQL
from graph.routes.widget import WIDGET_PATHS, widget_routes
from graph.settings import Settings
from graph.tenancy.runtime import Runtime

#: Smaller answers go uncompressed (the gzip header would eat the saving).
GZIP_MIN_BYTES = 512


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    manage_client: bool = True,
) -> Starlette:
    """Build the app. With `manage_client`, the lifespan closes the DynamoDB client on
    shutdown; the client itself opens on first use, once per process."""
    if runtime is None:
        settings = settings or Settings()
        runtime = Runtime(settings, load_registry(settings.tenants_dir, settings.stage))
    rt = runtime

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if manage_client:
                await rt.aclose()

    endpoint = GraphQLEndpoint(rt)
    ide = rt.settings.graphiql_enabled
    playground = playground_routes(rt.settings.playground_assets) if ide else []
    app = Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST", "OPTIONS"]),
            WebSocketRoute("/graphql", LiveGraphQL(rt)),  # subscriptions: docs/events.md
            Route("/healthz", healthz, methods=["GET"]),
            Route("/schema.graphql", endpoint.sdl, methods=["GET"]),
            *playground,
            *widget_routes(),
        ],
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(
                ObservabilityMiddleware, metrics=rt.settings.metrics, text=rt.settings.text_logs
            ),
            # JSON over GZIP_MIN_BYTES, compressed for clients that ask (Accept-Encoding);
            # outside the cache layer, so the ETag is of the JSON itself.
            Middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES),
            # Reads the origins from the live registry at request time (a preflight carries
            # no key, so it must not wait for a keyed request to reload the registry).
            Middleware(TenantCORSMiddleware, registry=rt.current_registry),
            # Cache-Control/ETag/304 for a read key's GETs, no-store for the rest
            # (docs/embedding.md); inside CORS, so a 304 gets its CORS headers too.
            Middleware(HttpCacheMiddleware),
            Middleware(
                TenantResolutionMiddleware,
                authenticate=rt.authenticate,  # the current registry, at request time
                ide_enabled=rt.settings.graphiql_enabled,
                public_paths=frozenset({"/healthz", *WIDGET_PATHS, *(STATIC_PATHS if ide else ())}),
            ),
            # After the key (a 401 never reads the body), before the concurrency slot
            # (admission is the endpoint's first step: graph/limits/admission.py).
            Middleware(BodyLimitMiddleware, max_bytes=rt.settings.max_body_bytes),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.runtime = rt
    return app
