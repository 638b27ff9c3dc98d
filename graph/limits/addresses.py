"""Fair subscription quotas: one client address holds at most a share of a tenant's
connections and of its subscriptions.

The public read key is in every shopper's page, so a key alone cannot tell one client
from all of them; the client address can (locally the ASGI peer address, on API Gateway
`requestContext.identity.sourceIp`). `AddressShares` counts, per (tenant, address),
the open connections and subscriptions of this process, and refuses one over
`most(...)`: `subscriptions_share_per_address` x `subscriptions_per_tenant`, at least 1.
Every way in that opens a connection or a subscription asks it (`take_*`) and gives the
place back when it ends (`release_*`).
"""

from __future__ import annotations

import math
from collections import Counter

from graph.errors import SubscriptionLimitExceeded

Slot = tuple[str, str]


def most_per_address(share: float, per_tenant: int) -> int:
    return max(1, math.floor(share * per_tenant))


class AddressShares:
    def __init__(self, share: float, per_tenant: int) -> None:
        self.most = most_per_address(share, per_tenant)
        self.connections: Counter[Slot] = Counter()
        self.subscriptions: Counter[Slot] = Counter()

    def take_connection(self, tenant_id: str, address: str) -> SubscriptionLimitExceeded | None:
        return self._take(self.connections, (tenant_id, address), "connectionsPerAddress")

    def take_subscription(self, tenant_id: str, address: str) -> SubscriptionLimitExceeded | None:
        return self._take(self.subscriptions, (tenant_id, address), "subscriptionsPerAddress")

    def release_connection(self, tenant_id: str, address: str) -> None:
        _release(self.connections, (tenant_id, address))

    def release_subscription(self, tenant_id: str, address: str) -> None:
        _release(self.subscriptions, (tenant_id, address))

    def _take(
        self, counts: Counter[Slot], slot: Slot, name: str
    ) -> SubscriptionLimitExceeded | None:
        if counts[slot] >= self.most:
            what = "connections" if counts is self.connections else "subscriptions"
            return SubscriptionLimitExceeded(
                f"This client address already holds {self.most} of the brand's {what}, the "
                f"most one address may (limit {name}). Close one before opening another.",
                limit={"name": name, "value": self.most, "actual": self.most + 1},
            )
        counts[slot] += 1
        return None


def _release(counts: Counter[Slot], slot: Slot) -> None:
    counts[slot] -= 1
    if counts[slot] <= 0:
        del counts[slot]
