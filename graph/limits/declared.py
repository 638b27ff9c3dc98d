"""What a field declares for the cost walk (graph/limits/walk.py), as Strawberry field
metadata set where the field is defined (graph/schema): how many partitions one of its
pages queries, how many entries a list without `first`/`ids` returns at most, and how
many DynamoDB calls a mutation's own resolver makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLField

#: How many partitions one page of the field queries at once (graph/schema/query.py
#: sets it on `shop`); absent means one.
READ_PARTITIONS = "graph.limits.read_partitions"

#: The most entries a list field without `first` or `ids` returns (graph/schema sets it
#: on every such list of objects; absent means one, as for an object field or a
#: connection's `edges`, which its `first` already counts).
MAX_ENTRIES = "graph.limits.max_entries"

#: The most DynamoDB calls a mutation's resolver makes itself (a WriteCalls); reads of
#: what its payload selects are counted by the selection, as for a query.
WRITE_CALLS = "graph.limits.write_calls"


@dataclass(frozen=True)
class WriteCalls:
    """`base` calls, plus `per_photo` for each entry of the input's `photos` (a claim
    on attach, a release if the write does not happen). Every call a write makes when
    DynamoDB answers it is counted, its retries on a newer concurrent stamp included;
    re-sent unprocessed items after throttling are charged as they happen, above it."""

    base: int
    per_photo: int = 0

    def calls(self, photos: int) -> int:
        return self.base + self.per_photo * photos


def _metadata(definition: GraphQLField) -> dict[str, Any]:
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    return getattr(strawberry_field, "metadata", None) or {}


def read_partitions(definition: GraphQLField) -> int:
    return int(_metadata(definition).get(READ_PARTITIONS, 1))


def max_entries(definition: GraphQLField) -> int:
    return int(_metadata(definition).get(MAX_ENTRIES, 1))


def write_calls(definition: GraphQLField) -> WriteCalls | None:
    declared = _metadata(definition).get(WRITE_CALLS)
    return declared if isinstance(declared, WriteCalls) else None
