"""Staged photo uploads of one tenant (the `uploads` table, issue 27).

Staging writes one item per upload (declared content type and size, when the signed
form expires); attaching claims it once with a conditional update, so the same upload
attached by two requests at once is taken by one of them only. A claim carries the
token of the request that made it (or, for the same listing, last renewed it); one that
did not end in a listing write is released by that request, and only while the token
is still its own: a twin request of the same listing that renewed the claim meanwhile
keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.store.calls import Door
from graph.store.errors import ConditionFailed
from graph.store.items import Item, from_wire, to_wire

#: How long an upload's record outlives its form: TTL deletes it after that.
RECORD_DAYS = 1


@dataclass(frozen=True)
class StagedUpload:
    upload_id: str
    content_type: str
    byte_size: int
    #: Epoch seconds after which the signed form (and the upload) is refused.
    expires_at: int


class Uploads:
    def __init__(self, door: Door, table: str) -> None:
        self._door = door
        self._table = table

    async def stage(self, uploads: Sequence[StagedUpload]) -> None:
        """Record freshly staged uploads (one BatchWriteItem for up to 25)."""
        requests = [
            {
                "PutRequest": {
                    "Item": to_wire(
                        {
                            "uploadId": u.upload_id,
                            "contentType": u.content_type,
                            "byteSize": u.byte_size,
                            "formExpiresAt": u.expires_at,
                            "expiresAt": u.expires_at + RECORD_DAYS * 86_400,
                        }
                    )
                }
            }
            for u in uploads
        ]
        pending: dict[str, Any] = {self._table: requests}
        for _ in range(5):
            if not pending:
                return
            response = await self._door.call("BatchWriteItem", RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
        if pending:
            raise ConditionFailed(None)

    async def claim(self, upload_id: str, listing_id: str, now: int, token: str) -> Item:
        """Mark the upload as attached to `listing_id` by the request `token`; its record
        as it was before (with `attachedTo` when that listing held it already: an
        idempotent retry, or a twin request); ConditionFailed (the current record, or
        None when there is no such upload) when another listing holds it or its form
        expired."""
        response = await self._door.call(
            "UpdateItem",
            TableName=self._table,
            Key={"uploadId": {"S": upload_id}},
            UpdateExpression="SET #attachedTo = :listing, #claimedBy = :token",
            ConditionExpression=(
                "attribute_exists(#uploadId) AND #formExpiresAt > :now AND "
                "(attribute_not_exists(#attachedTo) OR #attachedTo = :listing)"
            ),
            ExpressionAttributeNames={
                "#uploadId": "uploadId",
                "#attachedTo": "attachedTo",
                "#formExpiresAt": "formExpiresAt",
                "#claimedBy": "claimedBy",
            },
            ExpressionAttributeValues={
                ":listing": {"S": listing_id},
                ":now": {"N": str(now)},
                ":token": {"S": token},
            },
            ReturnValues="ALL_OLD",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return from_wire(response.get("Attributes") or {})

    async def release(self, upload_id: str, listing_id: str, token: str) -> bool:
        """Undo a claim that did not end in a listing write, if it is still this listing's
        and this request's (`token`); False when it is not (kept as it is)."""
        try:
            await self._door.call(
                "UpdateItem",
                TableName=self._table,
                Key={"uploadId": {"S": upload_id}},
                UpdateExpression="REMOVE #attachedTo, #claimedBy",
                ConditionExpression="#attachedTo = :listing AND #claimedBy = :token",
                ExpressionAttributeNames={"#attachedTo": "attachedTo", "#claimedBy": "claimedBy"},
                ExpressionAttributeValues={":listing": {"S": listing_id}, ":token": {"S": token}},
            )
        except ConditionFailed:
            return False
        return True
