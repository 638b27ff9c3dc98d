"""The per-request context every resolver gets as `info.context`, and the live session a
subscription's context carries (its WebSocket connection's changes)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.errors import GatewayError
from graph.events.changes import ListingChange
from graph.extensions import TenantExtension
from graph.loaders import Loaders, ReadPlan
from graph.store import TenantStore

if TYPE_CHECKING:
    from graph.registry.tenants import Principal


@dataclass
class Context:
    request_id: str
    principal: Principal
    store: TenantStore
    loaders: Loaders
    #: The tenant's custom fields and extension code.
    extension: TenantExtension
    #: The `Idempotency-Key` header of a write, if any.
    idempotency_key: str | None = None
    #: The client's own `X-Request-Id`, if sane (graph/middleware/request_id.py).
    correlation_id: str | None = None
    #: Set on WebSocket connections only: where subscriptions get their changes.
    live: LiveSession | None = None
    #: The attributes this request reads (the loaders share this object).
    reads: ReadPlan = field(default_factory=ReadPlan)
    #: Reads started early for a field further down (graph/resolvers/sellers.py).
    prefetched: dict[Any, Any] = field(default_factory=dict)


#: A queue of the tenant's changes while the block runs; None in it ends the stream.
ChangeSource = Callable[[], AbstractAsyncContextManager["asyncio.Queue[ListingChange | None]"]]


@dataclass(frozen=True)
class LiveSession:
    """Where a subscription's changes come from (the broker's channel for the tenant
    locally; one change at a time in the AWS fan-out), and a way to give the context a
    fresh store and loaders before each change is resolved (a request's store has a
    deadline, and loaders cache: neither may outlive one change). `refresh` also
    charges the change to the tenant's bucket: an error (THROTTLED) instead of a fresh
    store means the change is not resolved."""

    tenant_id: str
    changes: ChangeSource
    refresh: Callable[[Context], Awaitable[GatewayError | None]]
