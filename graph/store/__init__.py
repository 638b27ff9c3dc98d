"""The data layer: the only package that talks to DynamoDB (aioboto3/botocore)."""

from graph.store.base import ConditionFailed, Page, StoreStats, TableNames, TransactionCanceled
from graph.store.cursors import CursorCodec
from graph.store.items import Item
from graph.store.store import TenantStore

__all__ = [
    "ConditionFailed",
    "CursorCodec",
    "Item",
    "Page",
    "StoreStats",
    "TableNames",
    "TenantStore",
    "TransactionCanceled",
]
