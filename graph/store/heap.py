"""Keep long-lived objects out of the garbage collector's full passes.

A tenant's schemas, types and resolvers are built once and live as long as the process:
tens of thousands of objects that every full collection would walk again (about 95 ms
for 135k objects; at a product page's allocation rate one comes every dozen requests,
and each lands in some request's latency). After a tenant's schema is built the live
heap is collected once and frozen (`gc.freeze()`): frozen objects are never scanned
again, so later full collections walk only what requests allocate. The same goes for a
DynamoDB client (the runtime's, the audit consumer's), opened on first use: botocore's
service model is ~30k objects, and left in the collector's view each full collection
took ~7 ms (every ~50 product pages at N=100).

The price: garbage that survives the collection is never freed. The collection right
before the freeze makes that nothing but what requests in flight hold at that moment.

The first freeze of a process is on the cold start's path (a Lambda's first invocation
builds the schema, then opens the client), where a full collection walks everything the
imports made (~80k objects, 40-70 ms here) to find ~90 unreachable ones. So the first
freeze collects the young generations only and freezes what little cyclic garbage the
imports left in the old one (measured: 87 objects after importing the gateway). Every
later freeze collects fully: frozen objects are not walked, so that collection is cheap.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Collect, then move everything alive now to the permanent generation."""
    gc.collect(1 if gc.get_freeze_count() == 0 else 2)
    gc.freeze()
