"""The local stream runner's second consumer: listings records to the broker.

`graph dev` wraps the audit handler with `publishing(...)`: after the handler has
acknowledged a batch, each acknowledged record of a tenant's listings table goes to
the in-process broker. A record the handler failed (and everything after it) is not
published now: the runner delivers it again, and it is published then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from graph.audit.entries import UnknownSource, source_table
from graph.events.broker import Broker
from graph.events.changes import change_from_record
from graph.registry.tenants import Registry

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def publishing(handler: Handler, broker: Broker, registry: Registry) -> Handler:
    listings = {t.tables.listings: t.id for t in registry.tenants.values()}

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        response = handler(event)
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        for record in event.get("Records", []):
            if record.get("dynamodb", {}).get("SequenceNumber") in failed:
                break  # redelivered from here on: published on that delivery
            try:
                tenant_id = listings.get(source_table(record))
                if tenant_id is not None:
                    broker.publish(change_from_record(record, tenant_id))
            except (UnknownSource, KeyError, TypeError):
                log.warning("not a listings change record: %s", record.get("eventID"))
        return response

    return handle
