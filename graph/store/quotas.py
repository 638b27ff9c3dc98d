"""Subscription quotas on AWS: counter items in the connections table, changed in the
same transaction as what they count.

    connectionId                 sk              n      expiresAt
    quota#<tenant>#<address>     connections     count  refreshed by each take
    quota#<tenant>#<address>     subscriptions   count
    quota#<tenant>               subscriptions   count

A take is a conditional UpdateItem (`n < most`) inside the TransactWriteItems that
writes the counted item (a connection's key, a subscription), and a release is an
`ADD n -1` inside the transaction that deletes it (on the condition that it is still
there). Two connects racing for the last place are serialised by DynamoDB on the
counter item: one transaction commits, the other is cancelled. A Query on an index
would not do: indexes are eventually consistent, and counting then writing leaves a gap
in which both connects see room.

Counters carry no topic, so the byTopic index never holds them. A count that a lost
$disconnect left behind ends with its counter: each take sets `expiresAt` to the
longest life of what it counts (API Gateway closes a connection after 2 hours), so an
address that opened nothing for 2 hours has nothing open, and the TTL removes its
counter.
"""

from __future__ import annotations

from typing import Any, Literal

from graph.store.items import Item, to_wire

QUOTA = "quota#"
Counted = Literal["connections", "subscriptions"]


def counter_key(tenant: str, address: str | None, counted: Counted) -> dict[str, str]:
    """The counter of a tenant's `counted` (one address's, or the tenant's with None)."""
    owner = f"{QUOTA}{tenant}" if address is None else f"{QUOTA}{tenant}#{address}"
    return {"connectionId": owner, "sk": counted}


def take(table: str, key: dict[str, str], most: int, expires: int) -> dict[str, Any]:
    """One more, unless `most` are counted already."""
    return {
        "Update": {
            "TableName": table,
            "Key": to_wire(key),
            "UpdateExpression": "SET #n = if_not_exists(#n, :zero) + :one, #exp = :exp",
            "ConditionExpression": "attribute_not_exists(#n) OR #n < :most",
            "ExpressionAttributeNames": {"#n": "n", "#exp": "expiresAt"},
            "ExpressionAttributeValues": to_wire(
                {":zero": 0, ":one": 1, ":most": most, ":exp": expires}
            ),
        }
    }


def release(table: str, key: dict[str, str], count: int) -> dict[str, Any]:
    """`count` fewer (in the transaction that deletes what they counted)."""
    return {
        "Update": {
            "TableName": table,
            "Key": to_wire(key),
            "UpdateExpression": "ADD #n :less",
            "ExpressionAttributeNames": {"#n": "n"},
            "ExpressionAttributeValues": to_wire({":less": -count}),
        }
    }


def delete_existing(table: str, key: dict[str, Any]) -> dict[str, Any]:
    """Delete an item still there: a concurrent delete cancels the transaction, so its
    counters are released once."""
    return {
        "Delete": {
            "TableName": table,
            "Key": to_wire(key),
            "ConditionExpression": "attribute_exists(sk)",
        }
    }


def deletions(table: str, items: list[Item]) -> list[dict[str, Any]]:
    """Delete connections-table `items` (each still there) and release what they count:
    a connection counted against its address, a subscription against its address and
    its tenant."""
    actions = [
        delete_existing(table, {"connectionId": i["connectionId"], "sk": i["sk"]}) for i in items
    ]
    counts: dict[tuple[str, str | None, Counted], int] = {}
    for item in items:
        tenant, address = item.get("tenant"), item.get("address")
        if not isinstance(tenant, str) or not isinstance(address, str):
            continue  # never counted (no key yet)
        slots: list[tuple[str, str | None, Counted]]
        if item["sk"] == "connection":
            slots = [(tenant, address, "connections")] if item.get("counted") else []
        else:
            slots = [(tenant, address, "subscriptions"), (tenant, None, "subscriptions")]
        for slot in slots:
            counts[slot] = counts.get(slot, 0) + 1
    for (tenant, address, counted), count in sorted(counts.items(), key=str):
        actions.append(release(table, counter_key(tenant, address, counted), count))
    return actions
