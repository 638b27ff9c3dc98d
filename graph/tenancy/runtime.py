"""Runtime: what lives as long as the process — settings, the registry, the DynamoDB
clients (one per account) and one TenantGraph per tenant. Requests borrow from it;
nothing here is per request, and nothing here belongs to one tenant: that is the
TenantGraph's (graph/tenancy/tenant_graph.py)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

from graph.events.broker import Broker, local_broker
from graph.extensions import signature
from graph.limits.fair import FairPool
from graph.registry.tenants import (
    Principal,
    Registry,
    RegistryError,
    Tenant,
    load_registry,
    registry_signature,
)
from graph.settings import Settings
from graph.store import freeze_long_lived
from graph.tenancy.tenant_graph import TenantGraph

log = logging.getLogger(__name__)


# aioboto3 (~0.3 s to import) loads with the first client, not with this module: the
# Lambda's init phase and a process that never opens a client do not pay for it.
def open_dynamodb(settings: Settings, **kwargs: Any) -> AbstractAsyncContextManager[Any]:
    from graph.store import open_dynamodb as open_client

    return open_client(settings, **kwargs)


def open_s3(settings: Settings) -> AbstractAsyncContextManager[Any]:
    from graph.store import open_s3 as open_client

    return open_client(settings)


async def assume_role_session(role_arn: str, session_name: str, region: str) -> Any:
    from graph.store import assume_role_session as assume

    return await assume(role_arn, session_name, region)


class Runtime:
    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        *,
        batching: bool = True,
        client: Any | None = None,
        broker: Broker | None = None,
        s3: Any | None = None,
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
        #: The process's one S3 client (listing photos), opened at the first photo
        #: operation; a given one (tests) is used as is.
        self._s3 = s3
        #: The process's request slots, shared fairly between tenants.
        self.pool = FairPool.for_tenants(
            settings.max_in_flight, len(registry.tenants), settings.fair_share_linger_seconds
        )
        #: One graph per tenant id: the only per-tenant state of the process.
        self._graphs: dict[str, TenantGraph] = {}
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
        for tenant_id in changed:
            self._graphs.pop(tenant_id, None)
        self.registry = fresh
        self.pool.reserve = FairPool.reserve_for(self.pool.size, len(fresh.tenants))
        log.info("tenant registry reloaded; changed tenants: %s", sorted(changed) or "none")

    @property
    def throttle_pause(self) -> float:
        """Seconds a request refused at the door by its bucket waits before its 429."""
        pause = self.settings.throttle_pause_seconds
        if pause is not None:
            return pause
        return self.settings.concurrency_wait_seconds if len(self.registry.tenants) > 1 else 0.0

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
        # Every request of this client is built by the store from values it encoded
        # itself; DynamoDB validates each one, so botocore's client-side walk of every
        # request against the service model (75 us for a 20-key BatchGetItem) is skipped,
        # and its User-Agent is built once per feature set, not twice per call (~70 us).
        client = await self._exit.enter_async_context(
            open_dynamodb(self.settings, region=region, session=session, lean=True)
        )
        # Its service model (~30k objects) lives as long as the process: out of full GCs.
        freeze_long_lived()
        return client

    async def s3_client(self) -> Any:
        """The long-lived S3 client (photos), opened on first use."""
        if self._s3 is None:
            async with self._lock:
                if self._s3 is None:
                    self._s3 = await self._exit.enter_async_context(open_s3(self.settings))
        return self._s3

    async def aclose(self) -> None:
        await self._exit.aclose()
        self._clients.clear()

    def graph_for(self, tenant: Tenant) -> TenantGraph:
        """The tenant's graph, built on first use. With extension reload on (dev), an
        edit to the tenant's extension files replaces the graph whole at the next
        request. Raises ExtensionError for a broken extension (this tenant only; the
        next request tries again)."""
        stamp = None
        if self.settings.extensions_reload_enabled:
            stamp = signature(self.settings.tenants_dir, tenant.id)
        graph = self._graphs.get(tenant.id)
        if graph is None or graph.stamp != stamp:
            graph = TenantGraph(
                tenant,
                self.settings,
                self.client,
                batching=self.batching,
                stamp=stamp,
                s3_client=self.s3_client,
            )
            self._graphs[tenant.id] = graph
        return graph

    def graph_of(self, principal: Principal) -> TenantGraph:
        """The graph of the tenant an API key resolved to."""
        return self.graph_for(principal.tenant)
