"""The single door to DynamoDB: every call of a store goes through `Door.call`.

It counts the call in the request's StoreStats, holds it to the request's deadline and
translates botocore's errors into the gateway's (graph/errors.py) or the store's own
(graph/store/errors.py). botocore's `standard` retry mode has already retried what it
could when an error reaches this door.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from graph.errors import BadUserInput, IndexNotReady, InternalError, Unavailable
from graph.store.errors import ConditionFailed, TransactionCanceled
from graph.store.items import from_wire
from graph.store.stats import StoreStats

log = logging.getLogger(__name__)

_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class Door:
    """One request's way to DynamoDB: the process's client, the request's stats and
    deadline (event-loop time after which no call may run; None: none)."""

    def __init__(self, client: Any, stats: StoreStats, deadline: float | None) -> None:
        self._client = client
        self.stats = stats
        self.deadline = deadline

    def expect(self, calls: int, dropped: int = 0) -> None:
        """Every read declares the most calls it may make and items its filter may drop,
        from its arguments and what it returned (StoreStats.expect)."""
        self.stats.expect(calls, dropped)

    async def call(self, operation: str, **request: Any) -> dict[str, Any]:
        method = getattr(self._client, _snake(operation))
        request.setdefault("ReturnConsumedCapacity", "TOTAL")
        try:
            # The deadline also cuts botocore's retry back-off short.
            async with asyncio.timeout_at(self.deadline):
                response: dict[str, Any] = await method(**request)
        except TimeoutError as exc:
            self.stats.record(operation, {})
            log.warning("DynamoDB %s ran past the request deadline", operation)
            raise Unavailable(
                "The data store did not answer within the request's deadline; retry the "
                "request shortly.",
                retryable=True,
            ) from exc
        except ClientError as exc:
            self.stats.record(operation, {})
            raise _translated(operation, exc, request.get("IndexName")) from exc
        except BotoCoreError as exc:
            self.stats.record(operation, {})
            log.warning("DynamoDB %s could not be reached: %s", operation, exc)
            raise Unavailable(
                "The data store could not be reached; retry the request shortly.",
                retryable=True,
            ) from exc
        self.stats.record(operation, response)
        return response


def _translated(operation: str, exc: ClientError, index: str | None = None) -> Exception:
    code = exc.response.get("Error", {}).get("Code", "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    # Any 5xx left after botocore's retries is the service's trouble, not ours
    # (a 503 arrives as ServiceUnavailableException, a proxy's 502 as "502").
    if code in _RETRYABLE_CODES or status >= 500:
        return Unavailable(
            "The data store is busy and did not answer after retries; retry the request shortly.",
            retryable=True,
        )
    if code == "TransactionCanceledException":
        reasons = exc.response.get("CancellationReasons", [])
        return TransactionCanceled(
            [
                ConditionFailed(from_wire(r["Item"]) if r.get("Item") else None)
                if r.get("Code") == "ConditionalCheckFailed"
                else None
                for r in reasons
            ]
        )
    if code == "ConditionalCheckFailedException":
        old = exc.response.get("Item")
        return ConditionFailed(from_wire(old) if old else None)
    message = str(exc.response.get("Error", {}).get("Message", ""))
    if code == "ValidationException" and "size has exceeded" in message:
        # Input bounds keep writes far below 400 KB; this is the last fence.
        return BadUserInput(
            "The item would be larger than DynamoDB's 400 KB item limit; send less "
            "data (shorter texts, fewer images or custom values)."
        )
    if code == "ValidationException" and index and "index" in message.lower():
        # "The table does not have the specified index: <name>" (a field declared
        # indexed before its indexes were deployed), or "Cannot read from backfilling
        # global secondary index" (deployed, still being built). The index is the
        # request's own, not read from the message.
        log.error("DynamoDB %s: the index %s is not ready: %s", operation, index, message)
        return IndexNotReady(
            f"The index `{index}` this query needs is not ready: the brand's listings "
            "table does not have it yet, or is still building it. Its operators deploy "
            "it with Terraform (docs/shop.md, Indexes); other orders and filters work "
            "meanwhile.",
            index=index,
        )
    log.error("DynamoDB %s failed with %s", operation, code, exc_info=exc)
    return InternalError("The data store rejected the request.")


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
