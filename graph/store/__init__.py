"""The data layer: the only package that talks to DynamoDB (aioboto3/botocore).

`__all__` is its surface: code outside graph/store/ imports these names from
`graph.store`, never a submodule (tests/store/test_surface.py checks both). The names
that need aioboto3 (clients, assumed-role sessions) are loaded on first use, so
importing the store's types stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from graph.bounds import MAX_INDEXED_VALUES
from graph.store.admin import create_tables, delete_tables, export_table, put_items
from graph.store.buckets import create_bucket
from graph.store.connections import SUBSCRIPTION, ConnectionStore, Quota
from graph.store.cursors import CursorCodec
from graph.store.errors import ConditionFailed, TransactionCanceled
from graph.store.facets import Counts, FacetReader, FacetWriter, deltas_of, facet_key
from graph.store.heap import freeze_long_lived
from graph.store.history import HistoryReader, HistoryWriter
from graph.store.indexes import (
    SHOP_INDEXES,
    IndexedField,
    key_text,
    listings_spec,
    max_indexed_fields,
    tenant_table_specs,
)
from graph.store.items import Item, from_wire, to_wire
from graph.store.listings import Listings
from graph.store.management import Gone, Management, TooLarge, management_endpoint
from graph.store.pages import Page
from graph.store.photos import (
    LOCAL_ACCESS_KEY,
    LOCAL_SECRET_KEY,
    PhotoBucket,
    PhotoStats,
    rendition_key,
)
from graph.store.planner import ORDERS, Order, Plan, ShopFilter, plan_shop
from graph.store.sampling import CustomPresence, SampleUnavailable, custom_presence
from graph.store.secrets import SECRET_ARN, fetch_cursor_secret
from graph.store.sellers import Sellers
from graph.store.setup import setup_problem
from graph.store.shop import ShopPage
from graph.store.shop_keys import facet_values, with_shop_attributes
from graph.store.stats import StoreStats
from graph.store.store import AuditStore, TenantStore
from graph.store.streams import Shard, StreamReader
from graph.store.tables import (
    CONNECTIONS,
    DEPLOYMENT_TABLE_SPECS,
    HISTORY,
    LISTINGS,
    LOGICAL_NAMES,
    SELLERS,
    TABLE_SPECS,
    UPLOADS,
    TableNames,
    TableSpec,
    connections_table_name,
    physical_table_names,
    status_shard,
)
from graph.store.updates import STAMP_RETRIES, Stamp
from graph.store.uploads import StagedUpload, Uploads

if TYPE_CHECKING:
    from graph.store.client import (
        open_dynamodb,
        open_management,
        open_s3,
        open_streams,
        prime_dynamodb_session,
    )
    from graph.store.credentials import assume_role_session, assumed_role_session
    from graph.store.parser import ITEM_READS, ItemReadParser

#: Names whose modules import aioboto3 (about 0.5 s): loaded when first asked for.
_LAZY = {
    "open_dynamodb": "graph.store.client",
    "open_streams": "graph.store.client",
    "open_management": "graph.store.client",
    "open_s3": "graph.store.client",
    "prime_dynamodb_session": "graph.store.client",
    "assume_role_session": "graph.store.credentials",
    "assumed_role_session": "graph.store.credentials",
    "ITEM_READS": "graph.store.parser",
    "ItemReadParser": "graph.store.parser",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'graph.store' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "CONNECTIONS",
    "DEPLOYMENT_TABLE_SPECS",
    "HISTORY",
    "ITEM_READS",
    "LISTINGS",
    "LOCAL_ACCESS_KEY",
    "LOCAL_SECRET_KEY",
    "LOGICAL_NAMES",
    "MAX_INDEXED_VALUES",
    "ORDERS",
    "SECRET_ARN",
    "SELLERS",
    "SHOP_INDEXES",
    "STAMP_RETRIES",
    "SUBSCRIPTION",
    "TABLE_SPECS",
    "UPLOADS",
    "AuditStore",
    "ConditionFailed",
    "ConnectionStore",
    "Counts",
    "CursorCodec",
    "CustomPresence",
    "FacetReader",
    "FacetWriter",
    "Gone",
    "HistoryReader",
    "HistoryWriter",
    "IndexedField",
    "Item",
    "ItemReadParser",
    "Listings",
    "Management",
    "Order",
    "Page",
    "PhotoBucket",
    "PhotoStats",
    "Plan",
    "Quota",
    "SampleUnavailable",
    "Sellers",
    "Shard",
    "ShopFilter",
    "ShopPage",
    "StagedUpload",
    "Stamp",
    "StoreStats",
    "StreamReader",
    "TableNames",
    "TableSpec",
    "TenantStore",
    "TooLarge",
    "TransactionCanceled",
    "Uploads",
    "assume_role_session",
    "assumed_role_session",
    "connections_table_name",
    "create_bucket",
    "create_tables",
    "custom_presence",
    "delete_tables",
    "deltas_of",
    "export_table",
    "facet_key",
    "facet_values",
    "fetch_cursor_secret",
    "freeze_long_lived",
    "from_wire",
    "key_text",
    "listings_spec",
    "management_endpoint",
    "max_indexed_fields",
    "open_dynamodb",
    "open_management",
    "open_s3",
    "open_streams",
    "physical_table_names",
    "plan_shop",
    "prime_dynamodb_session",
    "put_items",
    "rendition_key",
    "setup_problem",
    "status_shard",
    "tenant_table_specs",
    "to_wire",
    "with_shop_attributes",
]
