"""The fan-out function: listings stream records -> the subscriptions they match.

For each record, in order: the subscriptions filed under the change's topics (one
Query per topic on the byTopic index; a subscription is filed under one topic, so it
is found once), each run on the change with its own key's schema (operations.run_once:
filters, visibility and errors as the local server has them), then every `next`
message posted through the Management API, in batches. A connection that is gone
(410) is deleted with its subscriptions. A record that fails is reported (partial
batch response) with everything after it, so Lambda retries from there.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from graph.events.changes import change_from_record
from graph.registry.tenants import Tenant
from graph.store import SUBSCRIPTION, ConnectionStore, Management
from graph.subscriptions.operations import Operation, run_once
from graph.subscriptions.websocket_api import principal_of
from graph.tenancy.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class FanOut:
    runtime: Runtime
    tenant: Tenant
    connections: ConnectionStore
    management: Management
    posted: int = 0
    removed: int = 0

    async def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        records = event.get("Records", [])
        for index, record in enumerate(records):
            try:
                await self.record(record)
            except Exception:
                log.exception("fan-out failed at record %s", record.get("eventID"))
                # Streams are retried from the first failed record on: name that one.
                sequence = records[index]["dynamodb"]["SequenceNumber"]
                return {"batchItemFailures": [{"itemIdentifier": sequence}]}
        return {"batchItemFailures": []}

    async def record(self, record: dict[str, Any]) -> None:
        change = change_from_record(record, self.tenant.id)
        if change.item is None:
            return  # removed: subscriptions yield listings as changes leave them
        messages: list[tuple[str, dict[str, Any]]] = []
        principals: dict[str, Any] = {}
        revoked: set[str] = set()
        for subscription in await self.connections.subscribers(change.topics()):
            connection_id = str(subscription["connectionId"])
            if connection_id not in principals:
                stored = await self.connections.connection(connection_id)
                principals[connection_id] = principal_of(stored, self.runtime)
                if principals[connection_id] is None and stored and "keyId" in stored:
                    revoked.add(connection_id)  # its key left the registry: close it
            principal = principals[connection_id]
            if principal is None or principal.tenant.id != self.tenant.id:
                continue
            operation = Operation(
                id=str(subscription["sk"]).removeprefix(SUBSCRIPTION),
                query=str(subscription["query"]),
                variables=_variables(subscription.get("variables")),
                operation_name=subscription.get("operationName"),
            )
            message = await run_once(self.runtime, principal, operation, change)
            if message is not None:
                messages.append((connection_id, message))
        gone = await self.management.post_all(messages)
        self.posted += len(messages) - sum(1 for cid, _ in messages if cid in gone)
        for connection_id in gone:
            self.removed += 1
            await self.connections.forget(connection_id)
        for connection_id in revoked - gone:
            self.removed += 1
            await self.management.close(connection_id)
            await self.connections.forget(connection_id)


def _variables(stored: Any) -> dict[str, Any]:
    if not stored:
        return {}
    value = json.loads(str(stored))
    return value if isinstance(value, dict) else {}
