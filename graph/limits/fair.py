"""FairPool: the process's request slots, shared fairly between tenants.

One gateway process runs one event loop: every request in flight shares its CPU. A
tenant flooding the process with requests would make everyone else's requests wait
behind its own. The pool bounds what runs at once (`size` slots for the whole
process) and divides it between the tenants that are asking right now:

- a reserve of slots (`size // 4` in a process serving several tenants, none in a
  process serving one) is kept for tenants that are not asking yet: with k tenants
  active (holding or waiting for a slot), each is entitled to `(size - reserve) // k`
  slots (at least one), up to its own cap (`Limits.max_concurrency`). A tenant alone
  so leaves room, and the next tenant's first request takes a free slot at once
  instead of waiting for one of the flood's requests to finish (and then sharing the
  loop with all of them);
- a tenant counts as asking for `linger` seconds after its last request ended: a
  client that sends one request at a time is asking all along, although between two
  requests it holds nothing, and a flood that took the whole pool in each such gap
  would meet every one of its requests at full strength;
- a tenant at its share waits even when a slot is free, so the next free slot goes to
  a tenant below its share;
- freed slots are handed out round-robin between the tenants that wait, oldest request
  first within a tenant;
- a request that waited `wait` seconds without a slot gives up: the caller answers 429
  at once, before any GraphQL work.

No slot is taken back from a running request: a flood that started alone drains to its
share as its requests finish.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable


class FairPool:
    def __init__(
        self,
        size: int,
        reserve: int | None = None,
        *,
        linger: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one slot")
        self.size = size
        #: Slots no tenant's share includes: room for the next tenant to arrive.
        self.reserve = size // 4 if reserve is None else reserve
        if not 0 <= self.reserve < size:
            raise ValueError("the reserve must leave at least one slot to share")
        #: Seconds a tenant still counts as asking after its last request ended.
        self.linger = linger
        self._clock = clock
        #: When each tenant's last request ended (kept for `linger` seconds).
        self._ended: dict[str, float] = {}
        self.in_use = 0
        self.held: Counter[str] = Counter()
        #: Waiting requests per tenant, tenants in round-robin order.
        self._waiting: OrderedDict[str, deque[tuple[asyncio.Future[None], int]]] = OrderedDict()

    @staticmethod
    def reserve_for(size: int, tenants: int) -> int:
        """The reserve of a process serving `tenants` tenants: one alone keeps nothing back."""
        return size // 4 if tenants > 1 else 0

    @classmethod
    def for_tenants(cls, size: int, tenants: int, linger: float = 0.0) -> FairPool:
        return cls(size, cls.reserve_for(size, tenants), linger=linger)

    @property
    def most(self) -> int:
        """Slots one tenant may hold when it is the only one asking."""
        return self.size - self.reserve

    def _asking(self) -> set[str]:
        asking = {t for t, n in self.held.items() if n > 0} | set(self._waiting)
        if self._ended:
            since = self._clock() - self.linger
            for tenant, ended in list(self._ended.items()):
                if ended < since:
                    del self._ended[tenant]
                else:
                    asking.add(tenant)
        return asking

    def active(self) -> int:
        """Tenants holding or waiting for a slot, or whose last request just ended."""
        return len(self._asking())

    def share(self, tenant: str) -> int:
        """Slots the tenant is entitled to right now."""
        return max(1, self.most // len(self._asking() | {tenant}))

    def _may_take(self, tenant: str, cap: int) -> bool:
        return self.in_use < self.size and self.held[tenant] < min(cap, self.share(tenant))

    def _grant(self, tenant: str) -> None:
        self.in_use += 1
        self.held[tenant] += 1

    async def acquire(self, tenant: str, cap: int, wait: float) -> bool:
        """Take a slot for `tenant`, waiting at most `wait` seconds; False if none came."""
        if tenant not in self._waiting and self._may_take(tenant, cap):
            self._grant(tenant)
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (future, cap)
        self._waiting.setdefault(tenant, deque()).append(entry)
        try:
            await asyncio.wait_for(asyncio.shield(future), wait)
        except TimeoutError:
            if future.done():  # granted just as the wait ran out: keep the slot
                return True
            self._forget(tenant, entry)
            future.cancel()
            self._dispatch()  # the active set shrank: others' shares may have grown
            return False
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(tenant)  # granted, but its request is gone
            else:
                self._forget(tenant, entry)
                future.cancel()
            raise
        return True

    def release(self, tenant: str) -> None:
        self.in_use -= 1
        self.held[tenant] -= 1
        if self.held[tenant] <= 0:
            del self.held[tenant]
        if self.linger > 0:
            self._ended[tenant] = self._clock()
        self._dispatch()

    def _forget(self, tenant: str, entry: tuple[asyncio.Future[None], int]) -> None:
        queue = self._waiting.get(tenant)
        if queue is not None and entry in queue:
            queue.remove(entry)
            if not queue:
                del self._waiting[tenant]

    def _dispatch(self) -> None:
        """Hand free slots to waiting tenants below their share, round-robin."""
        progressed = True
        while progressed and self.in_use < self.size and self._waiting:
            progressed = False
            for tenant in list(self._waiting):
                queue = self._waiting[tenant]
                future, cap = queue[0]
                if not self._may_take(tenant, cap):
                    continue
                queue.popleft()
                if not queue:
                    del self._waiting[tenant]
                else:
                    self._waiting.move_to_end(tenant)  # its next request goes last
                self._grant(tenant)
                future.set_result(None)
                progressed = True
                break
