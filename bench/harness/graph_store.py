"""Every `graph.store` name bench uses, imported in this one module (bench modules
import store names from here only; `graph.store.__all__` is the store's surface)."""

from __future__ import annotations

from graph.store import (
    IndexedField,
    Page,
    Shard,
    StreamReader,
    TableNames,
    TenantStore,
    create_bucket,
    create_tables,
    from_wire,
    open_dynamodb,
    open_s3,
    open_streams,
    physical_table_names,
    put_items,
    status_shard,
    to_wire,
    with_shop_attributes,
)

__all__ = [
    "IndexedField",
    "Page",
    "Shard",
    "StreamReader",
    "TableNames",
    "TenantStore",
    "create_bucket",
    "create_tables",
    "from_wire",
    "open_dynamodb",
    "open_s3",
    "open_streams",
    "physical_table_names",
    "put_items",
    "status_shard",
    "to_wire",
    "with_shop_attributes",
]
