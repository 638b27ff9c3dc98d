"""The API Gateway Management API: posting to WebSocket connections, closing them.

One aiobotocore `apigatewaymanagementapi` client per stage endpoint
(`https://<api>.execute-api.<region>.amazonaws.com/<stage>`). A connection that is gone
(the client left without $disconnect, or API Gateway dropped it) answers 410
GoneException, raised here as `Gone`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

#: Posts in flight at once: each is one HTTPS call to the Management API.
POST_BATCH = 50
#: API Gateway's largest WebSocket message (frames of 32 KB make up at most 128 KB).
MAX_MESSAGE_BYTES = 128 * 1024


class TooLarge(Exception):
    """A message over API Gateway's 128 KB: it cannot be posted."""


class Gone(Exception):
    """The connection no longer exists (410 GoneException)."""

    def __init__(self, connection_id: str) -> None:
        super().__init__(f"WebSocket connection {connection_id} is gone")
        self.connection_id = connection_id


class Management:
    def __init__(self, client: Any) -> None:
        self._client = client

    async def post(self, connection_id: str, message: dict[str, Any]) -> None:
        data = json.dumps(message, separators=(",", ":")).encode()
        if len(data) > MAX_MESSAGE_BYTES:
            raise TooLarge(
                f"a {len(data)}-byte message for connection {connection_id} is over API "
                f"Gateway's {MAX_MESSAGE_BYTES} bytes: the subscription selects too much"
            )
        try:
            await self._client.post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as exc:
            if _gone(exc):
                raise Gone(connection_id) from exc
            raise

    async def close(self, connection_id: str) -> None:
        try:
            await self._client.delete_connection(ConnectionId=connection_id)
        except ClientError as exc:
            if not _gone(exc):
                raise

    async def post_all(
        self, messages: Sequence[tuple[str, dict[str, Any]]], *, batch: int = POST_BATCH
    ) -> set[str]:
        """Post every (connection id, message), `batch` at a time; the connections that
        turned out to be gone. A message that cannot be posted (too large, or refused
        after botocore's retries) is logged and dropped: live updates are best effort,
        and failing the batch would post every other message of it again."""
        gone: set[str] = set()
        for start in range(0, len(messages), batch):
            chunk = messages[start : start + batch]
            results = await asyncio.gather(
                *(self.post(cid, message) for cid, message in chunk), return_exceptions=True
            )
            for (connection_id, _), result in zip(chunk, results, strict=True):
                if isinstance(result, Gone):
                    gone.add(result.connection_id)
                elif isinstance(result, TooLarge | ClientError):
                    log.warning("not delivered to %s: %s", connection_id, result)
                elif isinstance(result, BaseException):
                    raise result
        return gone


def _gone(error: ClientError) -> bool:
    response: dict[str, Any] = error.response
    code = response.get("Error", {}).get("Code")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return bool(code == "GoneException" or status == 410)


def management_endpoint(domain: str, stage: str) -> str:
    """The Management API endpoint of a stage, from a WebSocket event's requestContext."""
    return f"https://{domain}/{stage}"


def unique(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids))
