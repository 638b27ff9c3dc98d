"""A live session: what a subscription resolver needs from its WebSocket connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.events.broker import Broker

if TYPE_CHECKING:
    from graph.context import Context


@dataclass(frozen=True)
class LiveSession:
    """The tenant's channel in the broker, and a way to give the context a fresh store
    and loaders before each change is resolved (a request's store has a deadline, and
    loaders cache: neither may outlive one change)."""

    tenant_id: str
    broker: Broker
    refresh: Callable[[Context], Awaitable[None]]
