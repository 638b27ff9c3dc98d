"""Limits: static checks before any I/O, cost, rate and concurrency per tenant.

- analysis.py   depth, aliases, root fields, directives and cost of a parsed document
- walk.py       the one walk over its selections (each fragment measured once) and cost
- extension.py  the schema extension that applies a tenant's limits per request
- buckets.py    token buckets and concurrency slots per tenant, and a request's admission
- view.py       Strawberry's ASGI view, hardened: JSON errors only, APQ, last-line masking
"""

from graph.limits.analysis import Analysis, analyze
from graph.limits.extension import limit_extensions
from graph.limits.walk import MAX_ENTRIES, READ_PARTITIONS

__all__ = ["MAX_ENTRIES", "READ_PARTITIONS", "Analysis", "analyze", "limit_extensions"]
