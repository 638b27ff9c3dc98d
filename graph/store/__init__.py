"""The data layer: the only package that talks to DynamoDB (aioboto3/botocore)."""

from graph.store.cursors import CursorCodec
from graph.store.items import Item
from graph.store.store import Page, StoreStats, TableNames, TenantStore

__all__ = ["CursorCodec", "Item", "Page", "StoreStats", "TableNames", "TenantStore"]
