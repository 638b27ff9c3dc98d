"""The per-request context every resolver gets as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.extensions import TenantExtension
from graph.loaders import Loaders, ReadPlan
from graph.store import TenantStore

if TYPE_CHECKING:
    from graph.events.live import LiveSession
    from graph.tenancy import Principal


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
    #: Set on WebSocket connections only: where subscriptions get their changes.
    live: LiveSession | None = None
    #: The attributes this request reads (the loaders share this object).
    reads: ReadPlan = field(default_factory=ReadPlan)
    #: Reads started early for a field further down (graph/resolvers/sellers.py).
    prefetched: dict[Any, Any] = field(default_factory=dict)
