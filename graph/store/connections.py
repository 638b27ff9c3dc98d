"""The connections table (CONNECTIONS in tables.py): WebSocket connections on AWS and
their subscriptions, for the websocket and fan-out functions.

    connectionId  sk                   attributes
    <id>          connection           tenant, keyId, scopes (after connection_init), expiresAt
    <id>          sub#<operation id>   topic, query, variables, operationName, expiresAt

`topic` (`listing#<id>`, `product#<id>`, `seller#<id>` or `all`) feeds the byTopic index:
the fan-out finds a change's subscriptions with one Query per topic. Every item expires
by TTL when API Gateway would have closed the connection anyway (2 hours).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from graph.store.items import Item, from_wire, to_wire
from graph.store.tables import CONNECTIONS

CONNECTION = "connection"
SUBSCRIPTION = "sub#"
#: API Gateway closes a WebSocket connection after 2 hours.
CONNECTION_TTL_SECONDS = 2 * 60 * 60
BATCH_WRITE = 25


class ConnectionStore:
    def __init__(
        self,
        client: Any,
        table: str,
        *,
        ttl_seconds: int = CONNECTION_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self.table = table
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def _expires(self) -> int:
        return int(self._clock()) + self.ttl_seconds

    async def open(self, connection_id: str, **attributes: Any) -> None:
        item = {"connectionId": connection_id, "sk": CONNECTION, "expiresAt": self._expires()}
        await self._client.put_item(TableName=self.table, Item=to_wire({**item, **attributes}))

    async def connection(self, connection_id: str) -> Item | None:
        response = await self._client.get_item(
            TableName=self.table,
            Key=to_wire({"connectionId": connection_id, "sk": CONNECTION}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return from_wire(item) if item else None

    async def subscriptions(self, connection_id: str) -> list[Item]:
        return [
            item
            for item in await self._items(connection_id)
            if str(item["sk"]).startswith(SUBSCRIPTION)
        ]

    async def add_subscription(
        self,
        connection_id: str,
        operation_id: str,
        *,
        topic: str,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> None:
        item: Item = {
            "connectionId": connection_id,
            "sk": f"{SUBSCRIPTION}{operation_id}",
            "topic": topic,
            "query": query,
            # As JSON: DynamoDB would turn numbers into Decimals and drop empty strings' types.
            "variables": json.dumps(variables or {}),
            "expiresAt": self._expires(),
        }
        if operation_name:
            item["operationName"] = operation_name
        await self._client.put_item(TableName=self.table, Item=to_wire(item))

    async def remove_subscription(self, connection_id: str, operation_id: str) -> None:
        await self._client.delete_item(
            TableName=self.table,
            Key=to_wire({"connectionId": connection_id, "sk": f"{SUBSCRIPTION}{operation_id}"}),
        )

    async def subscribers(self, topics: Iterable[str]) -> list[Item]:
        """Every subscription filed under one of `topics` (each is under exactly one)."""
        found: list[Item] = []
        index = CONNECTIONS.indexes[0].name
        for topic in sorted(set(topics)):
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": index,
                "KeyConditionExpression": "topic = :t",
                "ExpressionAttributeValues": to_wire({":t": topic}),
            }
            while True:
                response = await self._client.query(**kwargs)
                found.extend(from_wire(item) for item in response.get("Items", []))
                last = response.get("LastEvaluatedKey")
                if not last:
                    break
                kwargs["ExclusiveStartKey"] = last
        return found

    async def forget(self, connection_id: str) -> int:
        """Delete a connection and its subscriptions; the number of items deleted."""
        keys = [
            {"connectionId": item["connectionId"], "sk": item["sk"]}
            for item in await self._items(connection_id)
        ]
        for start in range(0, len(keys), BATCH_WRITE):
            requests = [
                {"DeleteRequest": {"Key": to_wire(key)}}
                for key in keys[start : start + BATCH_WRITE]
            ]
            pending: dict[str, Any] = {self.table: requests}
            for _ in range(8):
                response = await self._client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
        return len(keys)

    async def _items(self, connection_id: str) -> list[Item]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "connectionId = :c",
            "ExpressionAttributeValues": to_wire({":c": connection_id}),
            "ConsistentRead": True,
        }
        items: list[Item] = []
        while True:
            response = await self._client.query(**kwargs)
            items.extend(from_wire(item) for item in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if not last:
                return items
            kwargs["ExclusiveStartKey"] = last
