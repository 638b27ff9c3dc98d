"""Conditional writes to listings and sellers, stamped with actor and request id.

Every write increments `version` and is conditional, so concurrent writers cannot
overwrite each other silently: the loser gets ConditionFailed with the current item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.store.base import StoreBase
from graph.store.items import Item, from_wire, to_wire, value_to_wire
from graph.store.tables import status_shard


@dataclass(frozen=True)
class Stamp:
    """Who wrote, in which request, when (ISO 8601, UTC)."""

    actor: str
    request_id: str
    at: str


def _update(sets: Mapping[str, Any], stamp: Stamp) -> tuple[str, dict[str, str], dict[str, Any]]:
    names: dict[str, str] = {"#version": "version"}
    values: dict[str, Any] = {":one": {"N": "1"}}
    parts = ["#version = #version + :one"]
    stamped = {
        **sets,
        "updatedAt": stamp.at,
        "updatedBy": stamp.actor,
        "requestId": stamp.request_id,
    }
    for n, (attr, value) in enumerate(stamped.items()):
        names[f"#a{n}"] = attr
        values[f":a{n}"] = value_to_wire(value)
        parts.append(f"#a{n} = :a{n}")
    return "SET " + ", ".join(parts), names, values


class Writes(StoreBase):
    async def create_listing(self, item: Item, stamp: Stamp) -> Item:
        """Put a new listing and count it on its seller, in one transaction.

        TransactionCanceled.failures: [listing id taken (with the existing item),
        seller missing].
        """
        full = {
            **item,
            "statusShard": status_shard(item["status"], item["listingId"]),
            "createdAt": stamp.at,
            "updatedAt": stamp.at,
            "updatedBy": stamp.actor,
            "requestId": stamp.request_id,
            "version": 1,
        }
        await self._call(
            "TransactWriteItems",
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.tables.listings,
                        "Item": to_wire(full),
                        "ConditionExpression": "attribute_not_exists(listingId)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Update": {
                        "TableName": self.tables.sellers,
                        "Key": {"sellerId": {"S": item["sellerId"]}},
                        "UpdateExpression": "ADD listingsCount :one",
                        "ConditionExpression": "attribute_exists(sellerId)",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ],
        )
        return full

    async def update_listing(
        self,
        listing_id: str,
        changes: Mapping[str, Any],
        stamp: Stamp,
        *,
        expected_version: int,
        expected_status: str | None = None,
    ) -> Item:
        """Apply `changes` if the listing is at `expected_version` (and status)."""
        sets = dict(changes)
        if "status" in sets:
            sets["statusShard"] = status_shard(sets["status"], listing_id)
        expression, names, values = _update(sets, stamp)
        condition = "attribute_exists(listingId) AND #version = :expected"
        values[":expected"] = {"N": str(expected_version)}
        if expected_status is not None:
            names["#status"] = "status"
            values[":expectedStatus"] = {"S": expected_status}
            condition += " AND #status = :expectedStatus"
        response = await self._call(
            "UpdateItem",
            TableName=self.tables.listings,
            Key={"listingId": {"S": listing_id}},
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return from_wire(response["Attributes"])

    async def upsert_seller(
        self,
        seller_id: str,
        fields: Mapping[str, Any],
        stamp: Stamp,
        *,
        expected_version: int | None,
    ) -> Item:
        """Create or update a seller; with `expected_version`, only from that version
        (0 means: only if it does not exist yet)."""
        expression, names, values = _update(
            {k: v for k, v in fields.items() if k != "version"}, stamp
        )
        # `version` may be missing on a new seller: start it at 0 before adding one.
        expression = expression.replace(
            "#version = #version + :one", "#version = if_not_exists(#version, :zero) + :one"
        )
        values[":zero"] = {"N": "0"}
        request: dict[str, Any] = {
            "TableName": self.tables.sellers,
            "Key": {"sellerId": {"S": seller_id}},
            "UpdateExpression": expression
            + ", #joined = if_not_exists(#joined, :joined), #count = if_not_exists(#count, :zero)",
            "ExpressionAttributeNames": {
                **names,
                "#joined": "joinedAt",
                "#count": "listingsCount",
            },
            "ExpressionAttributeValues": {**values, ":joined": {"S": stamp.at}},
            "ReturnValues": "ALL_NEW",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if expected_version is not None:
            request["ConditionExpression"] = (
                "attribute_not_exists(sellerId)"
                if expected_version == 0
                else "#version = :expected"
            )
            if expected_version:
                request["ExpressionAttributeValues"][":expected"] = {"N": str(expected_version)}
        response = await self._call("UpdateItem", **request)
        return from_wire(response["Attributes"])

    async def get_listing_consistent(self, listing_id: str) -> Item | None:
        response = await self._call(
            "GetItem",
            TableName=self.tables.listings,
            Key={"listingId": {"S": listing_id}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return from_wire(item) if item else None
