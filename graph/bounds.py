"""The gateway's size bounds, each with one name, in one place.

A leaf module: the store, the loaders, the resolvers and the static limits all read
their bounds here, so none of them imports another to learn a number.
"""

from __future__ import annotations

#: The most items one field reads at once: `first` of a page, `ids` of a batch read,
#: and the keys of one BatchGetItem call (DynamoDB's own limit, which the other two
#: follow so that one field is at most one batch).
MAX_ITEMS = 100

#: A filtered page's read budget, in Queries of `first + 1` items: it reads at most
#: this many times `first + 1` items (in as many calls as DynamoDB's 1 MB per Query
#: needs) before it ends early with a cursor.
FILTERED_PAGE_MAX_CALLS = 10

#: Partitions of the sharded status key (`ACTIVE#0..3`): a shop page queries each.
STATUS_SHARDS = 4
#: An indexed shop filter with more values than this is a FilterExpression instead: each
#: value is one Query per shard.
MAX_INDEXED_VALUES = 4
#: The most partitions one shop page queries at once (one Query each): every shard of
#: up to MAX_INDEXED_VALUES values of an indexed field.
SHOP_MAX_PARTITIONS = STATUS_SHARDS * MAX_INDEXED_VALUES

#: The most values one shop facet lists (the most counted first).
MAX_FACET_VALUES = 50
#: The most attributes of its entity (besides custom fields, listed one by one) a history
#: entry lists as changed: a listing has 11, a seller 5.
MAX_ENTRY_ATTRIBUTES = 16

#: The most user errors one write returns (the first ones found): a payload's
#: `userErrors` is so bounded in its cost like any other list.
MAX_USER_ERRORS = 20

#: DynamoDB's limit for a partition key value, in bytes (and it must not be empty).
MAX_KEY_BYTES = 2048

#: DynamoDB's limit of global secondary indexes per table.
MAX_GSIS = 20
#: Indexes each custom field declared `indexed` adds to the listings table (newest, price).
INDEXES_PER_FIELD = 2
#: The listings table's own indexes: bySeller, byProduct, byStatus, shopNewest, shopPrice
#: (graph/store/tables.py; a test holds the two equal).
LISTINGS_OWN_INDEXES = 5
#: Indexed fields a tenant may declare within DynamoDB's indexes per table.
MAX_INDEXED_FIELDS = (MAX_GSIS - LISTINGS_OWN_INDEXES) // INDEXES_PER_FIELD
#: The shop's facet of the listing's condition; no indexed custom field may take it.
CONDITION_FACET = "condition"
