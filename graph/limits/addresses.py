"""Fair subscription quotas: one client address holds at most a share of a tenant's
connections and of its subscriptions.

The public read key is in every shopper's page, so a key alone cannot tell one client
from all of them; the client address can (locally the ASGI peer address, on API Gateway
`requestContext.identity.sourceIp`). `AddressShares` counts, per (tenant, address),
the open connections and subscriptions of this process, and refuses one over
`most(...)`: `subscriptions_share_per_address` x `subscriptions_per_tenant`, at least 1.
Every way in that opens a connection or a subscription asks it (`take_*`) and gives the
place back when it ends (`release_*`).

On API Gateway the counts live in the tenant's connections table instead (counters
changed in the transactions that write and delete what they count:
graph/store/quotas.py), since every invocation may run in another execution
environment; the limits, refusals and metric are these: `most_per_address`,
`address_limit`, `subscription_limit` and `count_refusal`.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Literal

from graph.errors import SubscriptionLimitExceeded
from graph.observability import emit_count, logger

Slot = tuple[str, str]
Kind = Literal["connections", "subscriptions"]


def most_per_address(share: float, per_tenant: int) -> int:
    return max(1, math.floor(share * per_tenant))


def address_limit(what: Kind, most: int) -> SubscriptionLimitExceeded:
    """The refusal of one more connection or subscription from an address holding `most`."""
    name = "connectionsPerAddress" if what == "connections" else "subscriptionsPerAddress"
    return SubscriptionLimitExceeded(
        f"This client address already holds {most} of the brand's {what}, the "
        f"most one address may (limit {name}). Close one before opening another.",
        limit={"name": name, "value": most, "actual": most + 1},
    )


def subscription_limit(name: str, value: int, where: str) -> SubscriptionLimitExceeded:
    """The refusal of a subscribe over the connection's or the tenant's limit."""
    return SubscriptionLimitExceeded(
        f"This {where} already has {value} open subscriptions, the most allowed (limit "
        f"{name}). Complete one before subscribing again.",
        limit={"name": name, "value": value, "actual": value + 1},
    )


def count_refusal(tenant_id: str, error: SubscriptionLimitExceeded, metrics: bool) -> None:
    """Log and count (EMF `SubscriptionRefusals`) a refusal for an address over its share."""
    name = error.extensions.get("limit", {}).get("name")
    logger.warning("subscription quota refused", extra={"tenant": tenant_id, "limit": name})
    if metrics:
        emit_count("SubscriptionRefusals", tenant_id)


class AddressShares:
    def __init__(self, share: float, per_tenant: int) -> None:
        self.most = most_per_address(share, per_tenant)
        self.connections: Counter[Slot] = Counter()
        self.subscriptions: Counter[Slot] = Counter()

    def take_connection(self, tenant_id: str, address: str) -> SubscriptionLimitExceeded | None:
        return self._take(self.connections, (tenant_id, address))

    def take_subscription(self, tenant_id: str, address: str) -> SubscriptionLimitExceeded | None:
        return self._take(self.subscriptions, (tenant_id, address))

    def release_connection(self, tenant_id: str, address: str) -> None:
        _release(self.connections, (tenant_id, address))

    def release_subscription(self, tenant_id: str, address: str) -> None:
        _release(self.subscriptions, (tenant_id, address))

    def _take(self, counts: Counter[Slot], slot: Slot) -> SubscriptionLimitExceeded | None:
        if counts[slot] >= self.most:
            kind: Kind = "connections" if counts is self.connections else "subscriptions"
            return address_limit(kind, self.most)
        counts[slot] += 1
        return None


def _release(counts: Counter[Slot], slot: Slot) -> None:
    counts[slot] -= 1
    if counts[slot] <= 0:
        del counts[slot]
