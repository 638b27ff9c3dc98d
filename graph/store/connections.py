"""The connections table (CONNECTIONS in tables.py): WebSocket connections on AWS and
their subscriptions, for the websocket and fan-out functions.

    connectionId  sk                   attributes
    <id>          connection           address (the client's), expiresAt; after the key is
                                       known: tenant, keyId, scopes, counted, subs
    <id>          sub#<operation id>   topic, query, variables, operationName, expiresAt,
                                       tenant, address (what counts it)

A connection with a key, and each subscription, is counted against the quotas of its
tenant and client address (graph/store/quotas.py: counter items, taken and released in
the transaction that writes or deletes what they count); `subs` on the connection item
counts its own subscriptions, under the same transactions.

`topic` (`listing#<id>`, `product#<id>`, `seller#<id>` or `all`) feeds the byTopic index:
the fan-out finds a change's subscriptions with one Query per topic. Every item expires
by TTL when API Gateway would have closed the connection anyway (2 hours).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from graph.store.calls import Door
from graph.store.errors import TransactionCanceled
from graph.store.items import Item, from_wire, to_wire
from graph.store.quotas import counter_key, deletions, take
from graph.store.stats import StoreStats
from graph.store.tables import CONNECTIONS

CONNECTION = "connection"
SUBSCRIPTION = "sub#"
#: API Gateway closes a WebSocket connection after 2 hours.
CONNECTION_TTL_SECONDS = 2 * 60 * 60
#: Items deleted in one transaction (DynamoDB takes 100 actions; 3 release counters).
FORGET_CHUNK = 90


@dataclass(frozen=True)
class Quota:
    """Who a connection or subscription counts against, and the most each may hold."""

    tenant: str
    address: str
    per_address: int
    per_tenant: int
    per_connection: int


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

    async def _transact(self, actions: list[dict[str, Any]]) -> None:
        await Door(self._client, StoreStats(), None).call(
            "TransactWriteItems", TransactItems=actions
        )

    async def open(self, connection_id: str, **attributes: Any) -> None:
        item = {"connectionId": connection_id, "sk": CONNECTION, "expiresAt": self._expires()}
        await self._client.put_item(TableName=self.table, Item=to_wire({**item, **attributes}))

    async def admit(self, connection_id: str, quota: Quota, **attributes: Any) -> bool:
        """Record a connection's key and count the connection against its address's
        share (once): False, and nothing written, when the address holds its share."""
        names = {f"#a{n}": name for n, name in enumerate(attributes)}
        values = {f":a{n}": value for n, value in enumerate(attributes.values())}
        sets = ", ".join(f"#a{n} = :a{n}" for n in range(len(attributes)))
        key = to_wire({"connectionId": connection_id, "sk": CONNECTION})
        counted: dict[str, Any] = {
            "TableName": self.table,
            "Key": key,
            "UpdateExpression": f"SET {sets}, #address = :address, #counted = :true, "
            "#exp = if_not_exists(#exp, :exp)",
            "ConditionExpression": "attribute_not_exists(#counted)",
            "ExpressionAttributeNames": {
                **names,
                "#address": "address",
                "#counted": "counted",
                "#exp": "expiresAt",
            },
            "ExpressionAttributeValues": to_wire(
                {**values, ":address": quota.address, ":true": True, ":exp": self._expires()}
            ),
        }
        counter = counter_key(quota.tenant, quota.address, "connections")
        try:
            await self._transact(
                [take(self.table, counter, quota.per_address, self._expires()), {"Update": counted}]
            )
        except TransactionCanceled as canceled:
            if canceled.failures[0] is not None:
                return False
            # Counted already (a second connection_init): the key is recorded again.
            await self._client.update_item(
                TableName=self.table,
                Key=key,
                UpdateExpression=f"SET {sets}",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_wire(values),
            )
        return True

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
        quota: Quota,
        topic: str,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> str | None:
        """Keep a subscription, counted against the connection's, its address's and its
        tenant's quotas in one transaction; else the name of the limit it is over (or
        `duplicate`: the id is taken; `gone`: the connection was closed)."""
        item: Item = {
            "connectionId": connection_id,
            "sk": f"{SUBSCRIPTION}{operation_id}",
            "topic": topic,
            "query": query,
            # As JSON: DynamoDB would turn numbers into Decimals and drop empty strings' types.
            "variables": json.dumps(variables or {}),
            "expiresAt": self._expires(),
            "tenant": quota.tenant,
            "address": quota.address,
        }
        if operation_name:
            item["operationName"] = operation_name
        expires = self._expires()
        connection = {
            "TableName": self.table,
            "Key": to_wire({"connectionId": connection_id, "sk": CONNECTION}),
            "UpdateExpression": "ADD #subs :one",
            "ConditionExpression": "attribute_exists(sk) AND "
            "(attribute_not_exists(#subs) OR #subs < :most)",
            "ExpressionAttributeNames": {"#subs": "subs"},
            "ExpressionAttributeValues": to_wire({":one": 1, ":most": quota.per_connection}),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        actions = [
            take(
                self.table,
                counter_key(quota.tenant, quota.address, "subscriptions"),
                quota.per_address,
                expires,
            ),
            take(
                self.table,
                counter_key(quota.tenant, None, "subscriptions"),
                quota.per_tenant,
                expires,
            ),
            {"Update": connection},
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_wire(item),
                    "ConditionExpression": "attribute_not_exists(sk)",
                }
            },
        ]
        try:
            await self._transact(actions)
        except TransactionCanceled as canceled:
            failed = [n for n, failure in enumerate(canceled.failures) if failure is not None]
            if not failed:
                raise
            if failed[0] == 2:
                on_connection = canceled.failures[2]
                gone = on_connection is None or on_connection.item is None
                return "gone" if gone else "subscriptionsPerConnection"
            return ("subscriptionsPerAddress", "subscriptionsPerTenant", "", "duplicate")[failed[0]]
        return None

    async def remove_subscription(self, connection_id: str, operation_id: str) -> None:
        key = {"connectionId": connection_id, "sk": f"{SUBSCRIPTION}{operation_id}"}
        response = await self._client.get_item(
            TableName=self.table, Key=to_wire(key), ConsistentRead=True
        )
        if "Item" not in response:
            return
        actions = deletions(self.table, [from_wire(response["Item"])])
        actions.append(
            {
                "Update": {
                    "TableName": self.table,
                    "Key": to_wire({"connectionId": connection_id, "sk": CONNECTION}),
                    "UpdateExpression": "ADD #subs :less",
                    "ConditionExpression": "attribute_exists(sk)",
                    "ExpressionAttributeNames": {"#subs": "subs"},
                    "ExpressionAttributeValues": to_wire({":less": -1}),
                }
            }
        )
        # Cancelled: removed already, or the connection is being forgotten (which
        # releases it).
        with suppress(TransactionCanceled):
            await self._transact(actions)

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
        """Delete a connection and its subscriptions, releasing what they count; the
        number of items deleted. Subscriptions go first and the connection item last,
        so an item that stays behind a failure is found and released by the next try."""
        for _ in range(3):
            items = sorted(await self._items(connection_id), key=lambda i: i["sk"] == CONNECTION)
            try:
                for start in range(0, len(items), FORGET_CHUNK):
                    await self._transact(deletions(self.table, items[start : start + FORGET_CHUNK]))
            except TransactionCanceled:
                continue  # forgotten at the same time elsewhere: read what is left, again
            return len(items)
        return 0

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
