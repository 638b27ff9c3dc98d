"""The in-process broker: listing changes from the stream runner's thread to the
subscriptions on the server's event loop, one channel per tenant.

`publish` may be called from any thread; it hands the change to the loop the first
subscriber ran on (`call_soon_threadsafe`), where each of that tenant's subscriber
queues gets it. A subscriber that falls `queue_size` changes behind loses the oldest.
Nothing crosses tenants: a queue is filed under the tenant its key belongs to.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from graph.events.changes import ListingChange

log = logging.getLogger(__name__)


class Broker:
    def __init__(self, *, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: dict[str, set[asyncio.Queue[ListingChange | None]]] = {}
        self._lock = threading.Lock()
        self.published = 0
        self.dropped = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serve subscribers on `loop` from now on (otherwise: the first one's loop)."""
        with self._lock:
            self._loop = loop

    def publish(self, change: ListingChange) -> bool:
        """Hand a change to its tenant's subscribers (from any thread); False when no
        server loop listens yet."""
        with self._lock:
            loop = self._loop
        if loop is None or loop.is_closed():
            return False
        self.published += 1
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(change)
        else:
            loop.call_soon_threadsafe(self._deliver, change)
        return True

    def _deliver(self, change: ListingChange) -> None:
        for queue in list(self._queues.get(change.tenant_id, ())):
            if queue.full():  # a slow subscriber loses its oldest change, not the newest
                queue.get_nowait()
                self.dropped += 1
                log.warning(
                    "tenant %s: a subscriber fell behind; dropped a change", change.tenant_id
                )
            queue.put_nowait(change)

    @asynccontextmanager
    async def subscribe(self, tenant_id: str) -> AsyncIterator[asyncio.Queue[ListingChange | None]]:
        """A queue of the tenant's changes, for as long as the block runs."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = loop
            elif self._loop is not loop:
                raise RuntimeError("the broker serves one event loop; this is another one")
        queue: asyncio.Queue[ListingChange | None] = asyncio.Queue(self.queue_size)
        self._queues.setdefault(tenant_id, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._queues.get(tenant_id, set())
            queues.discard(queue)
            if not queues:
                self._queues.pop(tenant_id, None)

    def subscribers(self, tenant_id: str) -> int:
        return len(self._queues.get(tenant_id, ()))


@cache
def local_broker() -> Broker:
    """The process's broker: `graph dev` runs the stream runner (a thread) and the
    server (uvicorn's loop) in one process, and both reach it here."""
    return Broker()
