"""Every `graph.store` name bench uses, imported in this one module.

Issue 12 makes `graph.store.__all__` the store's surface (its submodules private); once
it exports these names, this module becomes one `from graph.store import ...` line and
nothing else in bench/ changes. Bench modules import store names from here only.
"""

from __future__ import annotations

from graph.store import Page, TableNames, TenantStore
from graph.store.admin import create_tables, put_items
from graph.store.client import open_dynamodb, open_streams
from graph.store.items import from_wire, to_wire
from graph.store.streams import Shard, StreamReader
from graph.store.tables import physical_table_names, status_shard

__all__ = [
    "Page",
    "Shard",
    "StreamReader",
    "TableNames",
    "TenantStore",
    "create_tables",
    "from_wire",
    "open_dynamodb",
    "open_streams",
    "physical_table_names",
    "put_items",
    "status_shard",
    "to_wire",
]
