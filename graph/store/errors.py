"""What a store call raises besides the gateway's own errors (graph/errors.py).

    Exception
     ├── ConditionFailed       a conditional write found the item in another state
     └── TransactionCanceled   a transaction failed; one ConditionFailed per action

Throttling, timeouts and unreachable endpoints become `Unavailable` (retryable), an
oversized item `BadUserInput`, anything else `InternalError` (graph/store/calls.py).
"""

from __future__ import annotations

from graph.store.items import Item


class ConditionFailed(Exception):
    """A conditional write found the item in another state; `item` is what is there."""

    def __init__(self, item: Item | None) -> None:
        super().__init__("condition failed")
        self.item = item


class TransactionCanceled(Exception):
    """A transaction failed; `failures[i]` is the ConditionFailed of action i, or None."""

    def __init__(self, failures: list[ConditionFailed | None]) -> None:
        super().__init__("transaction canceled")
        self.failures = failures
