"""TenantStore: the only way the gateway reaches DynamoDB.

A store is built per request from the process's long-lived client and one tenant's
table names. It has no method that takes a table name from outside, so a request can
only ever reach the tables of the tenant its credential resolved to.
"""

from __future__ import annotations

from graph.store.history import History
from graph.store.reads import Reads
from graph.store.writes import Writes


class TenantStore(Reads, Writes, History):
    pass
