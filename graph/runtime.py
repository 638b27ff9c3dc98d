"""Runtime: what lives as long as the process — settings, registry, the DynamoDB client
and the tenants' schemas. Requests borrow from it; nothing here is per request."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

import strawberry

from graph.loaders import build_loaders
from graph.schema import build_schema
from graph.settings import Settings
from graph.store import CursorCodec, StoreStats, TenantStore
from graph.store.client import open_dynamodb
from graph.tenancy import Principal, Registry, Tenant


class Runtime:
    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        *,
        batching: bool = True,
        client: Any | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        #: False only in tests and benchmarks, to measure what the loaders save.
        self.batching = batching
        self._client = client
        self._exit = AsyncExitStack()
        self._lock = asyncio.Lock()
        self._schemas: dict[str, strawberry.Schema] = {}
        self._cursor_codecs: dict[str, CursorCodec] = {}

    async def client(self) -> Any:
        """The process's one DynamoDB client, opened on first use."""
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await self._exit.enter_async_context(
                        open_dynamodb(self.settings)
                    )
        return self._client

    async def aclose(self) -> None:
        await self._exit.aclose()
        self._client = None

    def schema_for(self, tenant: Tenant) -> strawberry.Schema:
        schema = self._schemas.get(tenant.id)
        if schema is None:
            schema = self._schemas[tenant.id] = build_schema()
        return schema

    def playground_schema(self) -> strawberry.Schema:
        """The schema behind the public playground page: the base schema, no tenant's
        fields (the page runs queries with the key the user enters)."""
        schema = self._schemas.get("")
        if schema is None:
            schema = self._schemas[""] = build_schema()
        return schema

    def _cursors(self, tenant: Tenant) -> CursorCodec:
        codec = self._cursor_codecs.get(tenant.id)
        if codec is None:
            secret = self.settings.cursor_secret.get_secret_value().encode()
            codec = self._cursor_codecs[tenant.id] = CursorCodec(secret, tenant.id)
        return codec

    async def store_for(self, principal: Principal, stats: StoreStats | None = None) -> TenantStore:
        """A store bound to the principal's tenant tables, for one request."""
        tenant = principal.tenant
        return TenantStore(
            await self.client(),
            tenant.tables,
            self._cursors(tenant),
            stats=stats,
            batch_get_max_retries=self.settings.batch_get_max_retries,
        )

    def loaders_for(self, store: TenantStore) -> Any:
        return build_loaders(store, batching=self.batching)
