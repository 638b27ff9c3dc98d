"""What an operation, or one event of a subscription, settles at after it ran.

A key that may read private fields (write, admin) settles on what DynamoDB did: the
work (fields resolved, items its filters read and dropped), never less than the calls
made. A key that may not (read) is never shown a figure that moves with the size of
private fields, and its bucket (RateLimit-Remaining, THROTTLED) is one: DynamoDB ends a
Query at 1 MB of items read, private attributes included, so the calls and the items
read depend on them. It settles on what it can see and on what its reads declared from
their arguments and what they returned (StoreStats.expect): the fields its response
resolved plus the most items its filtered reads could drop, never less than the most
calls its reads could make, and never more than the operation's estimate (which the
static cost makes at least the calls: tests/limits/test_cost_bounds.py).
"""

from __future__ import annotations

from typing import Any


def sees_private(context: Any) -> bool:
    """Whether the request's key may read private fields (write and admin keys)."""
    principal = getattr(context, "principal", None)
    return principal is not None and bool(principal.can("write"))


def settled(context: Any, result: Any, estimate: int) -> int:
    """What an operation (or one subscription event) of cost `estimate` settles at."""
    stats = getattr(getattr(context, "store", None), "stats", None)
    fields = resolved_fields(getattr(result, "data", None))
    if stats is None:
        return fields
    if sees_private(context):
        return max(fields + int(stats.items_dropped), int(stats.total_calls))
    return min(estimate, max(fields + int(stats.drop_ceiling), int(stats.call_ceiling)))


def resolved_fields(data: Any) -> int:
    """How many fields a response resolved: the entries of every object in its data.
    (graphql-core answers with plain dicts and lists; the recursion is as deep as the
    response, which maxDepth bounds. A JSON scalar's value is one field, whatever its
    shape: graph/schema/scalars.py serializes it as a JSON value, not a plain dict or
    list, so its entries are not counted.)"""
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
