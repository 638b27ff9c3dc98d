"""What an operation, or one event of a subscription, settles at after it ran."""

from __future__ import annotations

from typing import Any


def settled(context: Any, result: Any) -> int:
    """What an operation (or one subscription event) settles at: the work done (fields
    resolved, items read and dropped), and never less than the DynamoDB calls made,
    whatever answered them."""
    stats = getattr(getattr(context, "store", None), "stats", None)
    data = getattr(result, "data", None)
    calls = stats.total_calls if stats else 0
    return max(resolved_fields(data) + (stats.items_dropped if stats else 0), calls)


def resolved_fields(data: Any) -> int:
    """How many fields a response resolved: the entries of every object in its data.
    (graphql-core answers with plain dicts and lists; the recursion is as deep as the
    response, which maxDepth bounds.)"""
    kind = type(data)
    if kind is dict:
        count = len(data)
        values = data.values()
    elif kind is list:
        count, values = 0, data
    else:
        return 0
    for value in values:
        kind = type(value)
        if kind is dict or kind is list:
            count += resolved_fields(value)
    return count
