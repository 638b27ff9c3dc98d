"""Limits: static checks before any I/O, cost, rate and concurrency per tenant.

- analysis.py   depth, aliases, root fields, directives and cost of a parsed document
- walk.py       the one walk over its selections (each fragment measured once) and cost
- declared.py   what fields declare for the cost: partitions, list entries, write calls
- extension.py  the schema extension that applies a tenant's limits per request
- buckets.py    token buckets and concurrency slots per tenant, and a request's admission
"""

from graph.limits.analysis import Analysis, analyze
from graph.limits.declared import MAX_ENTRIES, READ_PARTITIONS, WRITE_CALLS, WriteCalls
from graph.limits.extension import limit_extensions

__all__ = [
    "MAX_ENTRIES",
    "READ_PARTITIONS",
    "WRITE_CALLS",
    "Analysis",
    "WriteCalls",
    "analyze",
    "limit_extensions",
]
