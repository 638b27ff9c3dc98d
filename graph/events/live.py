"""A live session: what a subscription resolver needs from its WebSocket connection."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.events.changes import ListingChange

if TYPE_CHECKING:
    from graph.context import Context


#: A queue of the tenant's changes while the block runs; None in it ends the stream.
ChangeSource = Callable[[], AbstractAsyncContextManager["asyncio.Queue[ListingChange | None]"]]


@dataclass(frozen=True)
class LiveSession:
    """Where a subscription's changes come from (the broker's channel for the tenant
    locally; one change at a time in the AWS fan-out), and a way to give the context a
    fresh store and loaders before each change is resolved (a request's store has a
    deadline, and loaders cache: neither may outlive one change)."""

    tenant_id: str
    changes: ChangeSource
    refresh: Callable[[Context], Awaitable[None]]
