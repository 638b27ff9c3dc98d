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
from graph.store.credentials import assume_role_session
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
        self._exit = AsyncExitStack()
        self._lock = asyncio.Lock()
        #: Clients by (region, role ARN): one for the gateway's own account and region,
        #: one per tenant account. A given client (tests) serves every tenant.
        self._given_client = client
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._schemas: dict[str, strawberry.Schema] = {}
        self._cursor_codecs: dict[str, CursorCodec] = {}

    async def client(self, tenant: Tenant | None = None) -> Any:
        """The long-lived DynamoDB client for a tenant's account, opened on first use."""
        if self._given_client is not None:
            return self._given_client
        region = tenant.config.region if tenant else self.settings.region
        role = tenant.config.role_arn if tenant else None
        key = (region, role)
        client = self._clients.get(key)
        if client is None:
            async with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = await self._open(region, role, tenant)
        return client

    async def _open(self, region: str, role: str | None, tenant: Tenant | None) -> Any:
        session = None
        if role is not None and tenant is not None:
            session = await assume_role_session(role, f"resale-graph-{tenant.id}", region)
        return await self._exit.enter_async_context(
            open_dynamodb(self.settings, region=region, session=session)
        )

    async def aclose(self) -> None:
        await self._exit.aclose()
        self._clients.clear()

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
            await self.client(tenant),
            tenant.tables,
            self._cursors(tenant),
            stats=stats,
            batch_get_max_retries=self.settings.batch_get_max_retries,
        )

    def loaders_for(self, store: TenantStore) -> Any:
        return build_loaders(store, batching=self.batching)
