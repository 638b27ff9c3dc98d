"""A listing change as live subscriptions see it: one stream record, decoded once.

The same record feeds the local broker (graph/events/broker.py) and, on AWS, the
fan-out function (graph/subscriptions/fanout.py), so both match subscriptions the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.domain import STREAM_EVENTS as EVENTS
from graph.store import Item, from_wire

#: The topic every listing change is published under, besides its own ones.
ALL = "all"


@dataclass(frozen=True)
class ListingChange:
    tenant_id: str
    listing_id: str
    #: CREATED, UPDATED or REMOVED.
    event: str
    #: The listing as the change left it; None when it was removed.
    item: Item | None
    #: The listing before the change; None when it was created.
    before: Item | None
    sequence: str

    def topics(self) -> set[str]:
        """Every topic a subscription to this change may be filed under."""
        found = {ALL, topic("listing", self.listing_id)}
        for image in (self.item, self.before):
            if image:
                if image.get("productId"):
                    found.add(topic("product", str(image["productId"])))
                if image.get("sellerId"):
                    found.add(topic("seller", str(image["sellerId"])))
        return found


def topic(kind: str, value: str) -> str:
    return f"{kind}#{value}"


def change_from_record(record: Mapping[str, Any], tenant_id: str) -> ListingChange:
    """The change in one DynamoDB Streams record of a tenant's listings table."""
    data = record["dynamodb"]
    keys = from_wire(data["Keys"])
    new = from_wire(data.get("NewImage", {})) or None
    old = from_wire(data.get("OldImage", {})) or None
    return ListingChange(
        tenant_id=tenant_id,
        listing_id=str(keys["listingId"]),
        event=EVENTS[record["eventName"]],
        item=new,
        before=old,
        sequence=str(data.get("SequenceNumber", "")),
    )
