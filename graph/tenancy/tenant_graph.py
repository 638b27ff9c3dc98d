"""TenantGraph: everything that belongs to one tenant, in one object.

A tenant's graph is built on first use and replaced whole when its extension files or
its registry entry change (graph/tenancy/runtime.py decides when). It owns:

- the tenant's extension (custom fields and code), loaded once;
- its two schemas (public for storefront keys, private for write keys) and the ASGI
  views over them;
- its persisted queries (APQ cache or safelist), shared by HTTP and WebSocket;
- its cursor codec (cursors are signed with the tenant's id);
- its admission gate (token bucket and concurrency cap);
- its store factory: `open(principal)` is the only way a request reaches DynamoDB, and
  it opens the tenant's own tables only, for principals of this tenant only.

Nothing here is per request except what `open` returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.errors import Throttled, Unauthenticated
from graph.extensions import TenantExtension, load_extension
from graph.http.persisted import PersistedQueries
from graph.http.state import request_state
from graph.http.view import GuardedGraphQL
from graph.limits import limit_extensions
from graph.limits.admission import TenantGate, delivery_refusal
from graph.loaders import ReadPlan, build_loaders
from graph.registry.tenants import Principal, Tenant
from graph.resolvers.context import Context, LiveSession
from graph.settings import Settings
from graph.store import (
    CursorCodec,
    IndexedField,
    PhotoBucket,
    PhotoStats,
    StoreStats,
    TenantStore,
    freeze_long_lived,
)
from graph.tenant_schema.build import build_schema

#: The DynamoDB client for the tenant's account (long-lived, shared by its requests).
ClientFor = Callable[[Tenant], Awaitable[Any]]
#: The process's S3 client (photos), opened on first use.
S3ClientFor = Callable[[], Awaitable[Any]]


async def _no_s3() -> Any:
    raise RuntimeError("this tenant graph was built without an S3 client")


def photos_public_url(tenant: Tenant, settings: Settings) -> str:
    """Where the tenant's renditions are served: its CDN (registry or, in its Lambda,
    GRAPH_PHOTOS_PUBLIC_URL); else the bucket on the local S3 server or on AWS S3."""
    if tenant.config.photos_public_url:
        return tenant.config.photos_public_url
    bucket = tenant.photos_bucket
    if settings.s3_endpoint:
        return f"{settings.s3_endpoint.rstrip('/')}/{bucket}"
    return f"https://{bucket}.s3.{tenant.config.region}.amazonaws.com"


class TenantGraph:
    def __init__(
        self,
        tenant: Tenant,
        settings: Settings,
        client_for: ClientFor,
        *,
        batching: bool = True,
        stamp: object = None,
        s3_client: S3ClientFor = _no_s3,
    ) -> None:
        self.tenant = tenant
        self.settings = settings
        #: What the graph was built from (the extension files' signature): a different
        #: stamp means the graph is stale and is replaced whole.
        self.stamp = stamp
        #: Raises ExtensionError for a broken extension: nothing of this tenant is built.
        self.extension: TenantExtension = load_extension(settings.tenants_dir, tenant.id)
        #: Its indexed listing fields: the shop's indexes its store reads and writes.
        self.indexed = IndexedField.of(self.extension.indexed)
        self.persisted = PersistedQueries.for_tenant(tenant, settings)
        self.cursors = CursorCodec(settings.cursor_secret.get_secret_value().encode(), tenant.id)
        #: Its token bucket and concurrency cap (admission, before any GraphQL work).
        self.gate = TenantGate(tenant.id, tenant.limits)
        self._client_for = client_for
        self._s3_client = s3_client
        self.photos_public_url = photos_public_url(tenant, settings)
        #: False only in tests and benchmarks, to measure what the loaders save.
        self._batching = batching
        self._schemas: dict[bool, strawberry.Schema] = {}
        self._views: dict[bool, TenantView] = {}

    def schema(self, *, private: bool) -> strawberry.Schema:
        """The schema for one visibility: `private` (write and admin keys) includes the
        fields marked private; storefront keys get the public variant. Built on first
        use; a broken extension raises ExtensionError and fails only this tenant."""
        schema = self._schemas.get(private)
        if schema is None:
            schema = build_schema(
                self.extension,
                private=private,
                extensions=limit_extensions(
                    self.tenant.limits,
                    introspection=self.settings.introspection_enabled,
                    suggestions=self.settings.field_suggestions_enabled,
                ),
            )
            self._schemas[private] = schema
            freeze_long_lived()  # built once, kept for good: out of the GC's full passes
        return schema

    def schema_for(self, principal: Principal) -> strawberry.Schema:
        """The schema this key may see (private fields need the write scope)."""
        return self.schema(private=principal.can("write"))

    def view(self, principal: Principal) -> TenantView:
        """The ASGI view over the schema this key may see."""
        private = principal.can("write")
        view = self._views.get(private)
        if view is None:
            view = self._views[private] = TenantView(self, self.schema(private=private))
        return view

    async def open(
        self,
        principal: Principal,
        *,
        request_id: str,
        stats: StoreStats | None = None,
        idempotency_key: str | None = None,
        live: LiveSession | None = None,
        correlation_id: str | None = None,
    ) -> Context:
        """A request's context: a store over this tenant's tables, its loaders and its
        extension. The only way a request reaches a store."""
        if principal.tenant.id != self.tenant.id:
            # A routing bug, never a client's doing: refuse rather than cross tenants.
            raise RuntimeError(
                f"tenant graph {self.tenant.id} asked to open a store for {principal.tenant.id}"
            )
        deadline = asyncio.get_running_loop().time() + self.settings.request_deadline_seconds
        # The tenant's own bucket only; its S3 client is opened at the first photo call.
        photos = PhotoBucket(
            self._s3_client,
            self.tenant.photos_bucket,
            self.photos_public_url,
            deadline=deadline + self.settings.photo_seconds,
            stats=PhotoStats(),
        )
        store = TenantStore(
            await self._client_for(self.tenant),
            self.tenant.tables,
            self.cursors,
            stats=stats,
            batch_get_max_retries=self.settings.batch_get_max_retries,
            deadline=deadline,
            indexed=self.indexed,
            photos=photos,
        )
        reads = ReadPlan()  # whole items until the operation is known to be a query
        return Context(
            request_id=request_id,
            principal=principal,
            store=store,
            loaders=build_loaders(store, batching=self._batching, reads=reads),
            reads=reads,
            extension=self.extension,
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
            live=live,
        )

    async def reopen(self, ctx: Context) -> Throttled | None:
        """Before each event of a subscription: its charge to the tenant's bucket
        (graph.limits.admission.delivery_refusal; THROTTLED: the event is dropped), then
        a fresh store and loaders for the long-lived context, so each event reads
        current data within its own deadline and settles on its own calls."""
        refused = delivery_refusal()
        if refused is not None:
            return refused
        fresh = await self.open(ctx.principal, request_id=ctx.request_id)
        ctx.store, ctx.loaders = fresh.store, fresh.loaders
        return None


class TenantView(GuardedGraphQL):
    """Strawberry's ASGI view for one of a tenant's schemas (GuardedGraphQL: JSON
    errors only, persisted queries, last-line error masking)."""

    def __init__(self, graph: TenantGraph, schema: strawberry.Schema) -> None:
        # No IDE here: the self-hosted playground page is served without a key.
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.graph = graph
        self.persisted = graph.persisted

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request_state(request.scope)
        if state.principal is None:
            raise Unauthenticated("An API key is required.")
        state.store_stats = StoreStats()
        return await self.graph.open(
            state.principal,
            request_id=state.request_id,
            stats=state.store_stats,
            idempotency_key=request.headers.get("idempotency-key"),
            correlation_id=state.correlation_id,
        )
