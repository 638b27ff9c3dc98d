"""Rate per tenant: a token bucket charged by cost (concurrency: graph/limits/fair.py).

Both live in process memory, so each process enforces them alone: with N gateway
instances (Lambda execution environments, containers) a tenant can get up to N times
its rate. A multi-instance deployment needs a shared store (DynamoDB or Redis with an
atomic update) or must give each instance its share (`cost_per_second / N`); API
Gateway's per-key throttling is the coarse outer fence.

A request's `Admission` is created by graph.limits.admission and put in a
ContextVar; the schema extension, which knows the cost after validation, charges it
before execution. Pure ASGI middleware and the extension hooks run in the request's
task, so the ContextVar set by the one is seen by the other.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Whole seconds until the request could pass (0 when allowed).
    retry_after: int


class TokenBucket:
    """`capacity` tokens, refilled at `rate` per second; a request takes its cost.

    A request needs min(cost, capacity) tokens to pass, then takes its full cost, so the
    balance can go negative: an operation costing more than the burst still runs when
    the bucket is full, and the tenant pays for it by waiting longer afterwards.

    The door (`door_wait`, asked before any parsing) wants what the tenant's last
    operation needed. A client flooding one operation is so refused there, for
    microseconds, until the bucket can pay for it again, instead of each request being
    parsed, validated and costed only to be refused at `take`; and an expensive
    operation refused is not starved by cheap ones slipping in as tokens trickle back.
    """

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = capacity
        self._updated = clock()
        #: What the last operation asked of the bucket needed (see `door_wait`).
        self._last_need = 1.0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def wait_for(self, cost: float) -> int:
        """Whole seconds until a request of `cost` could pass (0: it can pass now)."""
        return self._wait(min(max(cost, 1.0), self.capacity))

    def door_wait(self) -> int:
        """Whole seconds until the bucket could pay for the tenant's last operation again
        (0: let the request in to be costed)."""
        return self._wait(self._last_need)

    def _wait(self, needed: float) -> int:
        self._refill()
        if self._tokens >= needed:
            return 0
        return max(1, math.ceil((needed - self._tokens) / self.rate))

    def take(self, cost: float) -> Decision:
        self._last_need = min(max(cost, 1.0), self.capacity)
        retry_after = self.wait_for(cost)
        if retry_after == 0:
            self._tokens -= max(cost, 1.0)
            return Decision(True, 0)
        return Decision(False, retry_after)

    def give_back(self, amount: float) -> None:
        """Return tokens taken for work that did not happen (never above capacity)."""
        if amount > 0:
            self._refill()
            self._tokens = min(self.capacity, self._tokens + amount)

    def debit(self, amount: float) -> None:
        """Take tokens for work done beyond what was charged (the balance may go
        negative: the tenant then waits for it)."""
        if amount > 0:
            self._refill()
            self._tokens -= amount

    @property
    def remaining(self) -> int:
        self._refill()
        return max(0, math.floor(self._tokens))

    @property
    def reset(self) -> int:
        """Seconds until the bucket is full again."""
        self._refill()
        return max(0, math.ceil((self.capacity - self._tokens) / self.rate))


@dataclass
class Admission:
    """One request's dealings with its tenant's bucket."""

    bucket: TokenBucket
    charged: int = 0
    retry_after: int | None = None
    #: Whether an operation was let run (charged): only then is there work to settle.
    ran: bool = False
    #: A subscription's cost per delivered event (its static cost), once subscribed.
    per_event: int | None = None

    def charge(self, cost: int) -> Decision:
        decision = self.bucket.take(cost)
        if decision.allowed:
            self.charged = cost
            self.ran = True
        else:
            self.retry_after = decision.retry_after
        return decision

    def settle(self, actual: int) -> None:
        """After execution: the tenant pays the actual cost, not the estimate: what was
        charged beyond it is given back, and what it ran past the charge is taken (the
        balance may go negative), so no operation is cheaper than the work it did. An
        operation refused before it ran settles nothing."""
        if not self.ran:
            return
        if self.charged > actual:
            self.bucket.give_back(self.charged - actual)
        elif actual > self.charged:
            self.bucket.debit(actual - self.charged)
        self.charged = actual

    def subscribed(self, cost: int) -> None:
        """A subscription: its subscribe pays 1 (checked, nothing resolved), and each
        event it delivers is then charged `cost` before it is resolved (`deliver`) and
        settled on what it resolved after (`delivered`), like the operation over HTTP."""
        self.settle(1)
        self.ran = False
        self.per_event = cost

    def deliver(self) -> Decision:
        return self.charge(self.per_event or 1)

    def delivered(self, actual: int) -> None:
        self.settle(actual)
        self.ran = False


current_admission: ContextVar[Admission | None] = ContextVar("admission", default=None)
