"""StoreStats: what one request cost in DynamoDB."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_READS = frozenset({"Query", "GetItem", "BatchGetItem", "Scan"})


@dataclass
class StoreStats:
    """What one request cost in DynamoDB: calls per operation and consumed capacity."""

    calls: dict[str, int] = field(default_factory=dict)
    read_capacity: float = 0.0
    write_capacity: float = 0.0
    #: Items Queries read and their filters dropped (ScannedCount - Count).
    items_dropped: int = 0
    #: Shop pages: the index each used, items read and returned (`extensions.cost.plans`).
    plans: list[dict[str, Any]] = field(default_factory=list)
    #: The most calls the request's reads could make, and the most items their filters
    #: could read and drop, declared by each read (`expect`) from its arguments and what
    #: it returned, never from how many calls DynamoDB needed.
    #: Unlike `calls` and `items_dropped`, neither depends on the size of what DynamoDB
    #: read (its 1 MB per Query counts private attributes too): a key that may not read
    #: private fields settles on these (graph/limits/settlement.py).
    call_ceiling: int = 0
    drop_ceiling: int = 0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def expect(self, calls: int, dropped: int = 0) -> None:
        """A read about to run declares the most calls it may make and items it may drop."""
        self.call_ceiling += calls
        self.drop_ceiling += dropped

    def record(self, operation: str, response: Mapping[str, Any]) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if "ScannedCount" in response:
            self.items_dropped += int(response["ScannedCount"]) - int(response.get("Count", 0))
        consumed = response.get("ConsumedCapacity")
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            self.read_capacity += float(entry.get("ReadCapacityUnits", 0.0))
            self.write_capacity += float(entry.get("WriteCapacityUnits", 0.0))
            if "ReadCapacityUnits" not in entry and "WriteCapacityUnits" not in entry:
                units = float(entry.get("CapacityUnits", 0.0))
                if operation in _READS:
                    self.read_capacity += units
                else:
                    self.write_capacity += units
