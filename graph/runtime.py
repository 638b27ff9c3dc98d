"""Runtime: what lives as long as the process — settings, registry, the DynamoDB client
and the tenants' schemas. Requests borrow from it; nothing here is per request."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from typing import Any

import strawberry

from graph.events.broker import Broker, local_broker
from graph.extensions import TenantExtension, load_extension, signature
from graph.extensions.graphql import extend_schema
from graph.limits import limit_extensions
from graph.loaders import build_loaders
from graph.schema import build_schema
from graph.settings import Settings
from graph.store import CursorCodec, StoreStats, TenantStore, assume_role_session, open_dynamodb
from graph.tenancy import (
    Principal,
    Registry,
    RegistryError,
    Tenant,
    load_registry,
    registry_signature,
)

log = logging.getLogger(__name__)


class Runtime:
    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        *,
        batching: bool = True,
        client: Any | None = None,
        broker: Broker | None = None,
    ) -> None:
        self.settings = settings
        #: Listing changes for live subscriptions (the process's own broker by default:
        #: `graph dev`'s stream runner publishes to it).
        self.broker = broker if broker is not None else local_broker()
        self.registry = registry
        #: False only in tests and benchmarks, to measure what the loaders save.
        self.batching = batching
        self._exit = AsyncExitStack()
        self._lock = asyncio.Lock()
        #: Clients by (region, role ARN): one for the gateway's own account and region,
        #: one per tenant account. A given client (tests) serves every tenant.
        self._given_client = client
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._schemas: dict[tuple[str, bool], strawberry.Schema] = {}
        self._extensions: dict[str, TenantExtension] = {}
        self._extension_stamps: dict[str, tuple[tuple[str, float], ...]] = {}
        self._cursor_codecs: dict[str, CursorCodec] = {}
        #: The registry files as they were at start; a change reloads them (dev).
        self._registry_stamp = registry_signature(settings.tenants_dir)

    def current_registry(self) -> Registry:
        """The registry, re-read first when its files changed and reload is on (dev), so
        a new tenant, key or origin works at the next request without a restart. A
        broken edit is logged and the last good registry stays in use."""
        if self.settings.registry_reload_enabled:
            stamp = registry_signature(self.settings.tenants_dir)
            if stamp != self._registry_stamp:
                self._registry_stamp = stamp
                try:
                    fresh = load_registry(self.settings.tenants_dir, self.settings.stage)
                except RegistryError:
                    log.exception("tenant registry reload failed; keeping the last good one")
                else:
                    self._swap_registry(fresh)
        return self.registry

    def _swap_registry(self, fresh: Registry) -> None:
        old = self.registry.tenants
        changed = {t for t in {*old, *fresh.tenants} if old.get(t) != fresh.tenants.get(t)}
        self._schemas = {k: v for k, v in self._schemas.items() if k[0] not in changed}
        self.registry = fresh
        log.info("tenant registry reloaded; changed tenants: %s", sorted(changed) or "none")

    def authenticate(self, raw_key: str) -> Principal | None:
        """The principal for an API key, from the current registry (read per request)."""
        return self.current_registry().authenticate(raw_key)

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

    def extension_for(self, tenant: Tenant) -> TenantExtension:
        """The tenant's custom fields and extension code, loaded once (or again after an
        edit, with the reload switch on)."""
        tenants_dir = self.settings.tenants_dir
        if self.settings.extensions_reload_enabled:
            stamp = signature(tenants_dir, tenant.id)
            if self._extension_stamps.get(tenant.id) != stamp:
                self._extensions.pop(tenant.id, None)
                self._schemas = {k: v for k, v in self._schemas.items() if k[0] != tenant.id}
                self._extension_stamps[tenant.id] = stamp
        extension = self._extensions.get(tenant.id)
        if extension is None:
            extension = self._extensions[tenant.id] = load_extension(tenants_dir, tenant.id)
        return extension

    def schema_for(self, tenant: Tenant, *, private: bool = False) -> strawberry.Schema:
        """The tenant's schema: base + its typed extension. `private` (write and admin
        keys) includes fields marked private; storefront keys get the public variant.
        Built on first use and cached; a broken extension fails only this tenant."""
        extension = self.extension_for(tenant)
        key = (tenant.id, private)
        schema = self._schemas.get(key)
        if schema is None:
            schema = build_schema(
                extensions=limit_extensions(
                    tenant.limits,
                    introspection=self.settings.introspection_enabled,
                    suggestions=self.settings.field_suggestions_enabled,
                )
            )
            extend_schema(schema, extension, private=private)
            self._schemas[key] = schema
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
            deadline=asyncio.get_running_loop().time() + self.settings.request_deadline_seconds,
        )

    def loaders_for(self, store: TenantStore) -> Any:
        return build_loaders(store, batching=self.batching)
