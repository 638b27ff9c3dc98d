"""Table specs: the one description of every tenant table's keys, indexes and streams.

Table creation, test fixtures and the Terraform parity test all read these specs, so
the code, the local tables and the deployed tables cannot drift apart silently.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# The hot `status` key is sharded STATUS_SHARDS ways (one name, in graph/bounds.py).
from graph.bounds import STATUS_SHARDS

AttrType = Literal["S", "N", "B"]
StreamView = Literal["NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"]


@dataclass(frozen=True)
class TableNames:
    """Physical table names of one tenant, by logical name. `uploads` (staged photo
    uploads, issue 27) defaults to the listings name with `listings` → `uploads`
    (`dev-kicks-listings` → `dev-kicks-uploads`), so registries and callers that name
    only the first three tables keep working."""

    listings: str
    sellers: str
    history: str
    uploads: str = ""

    def __post_init__(self) -> None:
        if not self.uploads:
            head, found, tail = self.listings.rpartition("listings")
            derived = f"{head}uploads{tail}" if found else f"{self.listings}-uploads"
            object.__setattr__(self, "uploads", derived)

    @classmethod
    def from_mapping(cls, names: Mapping[str, str]) -> TableNames:
        return cls(
            listings=names["listings"],
            sellers=names["sellers"],
            history=names["history"],
            uploads=names.get("uploads", ""),
        )

    def all(self) -> tuple[str, ...]:
        return (self.listings, self.sellers, self.history, self.uploads)

    def by_logical_name(self) -> dict[str, str]:
        return {
            "listings": self.listings,
            "sellers": self.sellers,
            "history": self.history,
            "uploads": self.uploads,
        }


@dataclass(frozen=True)
class KeySchema:
    hash_key: str
    range_key: str | None = None

    def attributes(self) -> tuple[str, ...]:
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)

    def to_dynamodb(self) -> list[dict[str, str]]:
        schema = [{"AttributeName": self.hash_key, "KeyType": "HASH"}]
        if self.range_key is not None:
            schema.append({"AttributeName": self.range_key, "KeyType": "RANGE"})
        return schema


@dataclass(frozen=True)
class IndexSpec:
    name: str
    key: KeySchema
    projection: Literal["ALL", "KEYS_ONLY"] = "ALL"


@dataclass(frozen=True)
class TableSpec:
    """One logical table; `name` is logical (`listings`), the physical name is per tenant."""

    name: str
    key: KeySchema
    attribute_types: dict[str, AttrType]
    indexes: tuple[IndexSpec, ...] = ()
    stream: StreamView | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def index(self, name: str) -> IndexSpec:
        for index in self.indexes:
            if index.name == name:
                return index
        raise KeyError(f"table {self.name!r} has no index {name!r}")

    def create_table_request(self, physical_name: str) -> dict[str, Any]:
        """The CreateTable request for this spec (on-demand billing)."""
        used = set(self.key.attributes())
        for index in self.indexes:
            used.update(index.key.attributes())
        request: dict[str, Any] = {
            "TableName": physical_name,
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": self.key.to_dynamodb(),
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": self.attribute_types[name]}
                for name in sorted(used)
            ],
        }
        if self.indexes:
            request["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": index.key.to_dynamodb(),
                    "Projection": {"ProjectionType": index.projection},
                }
                for index in self.indexes
            ]
        if self.stream is not None:
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": self.stream,
            }
        return request


LISTINGS = TableSpec(
    name="listings",
    key=KeySchema("listingId"),
    attribute_types={
        "listingId": "S",
        "sellerId": "S",
        "productId": "S",
        "createdAt": "S",
        "statusShard": "S",
        "updatedAt": "S",
    },
    indexes=(
        IndexSpec("bySeller", KeySchema("sellerId", "createdAt")),
        IndexSpec("byProduct", KeySchema("productId", "createdAt")),
        IndexSpec("byStatus", KeySchema("statusShard", "updatedAt")),
    ),
    stream="NEW_AND_OLD_IMAGES",
)

SELLERS = TableSpec(
    name="sellers",
    key=KeySchema("sellerId"),
    attribute_types={"sellerId": "S"},
    stream="NEW_AND_OLD_IMAGES",
)

HISTORY = TableSpec(
    name="history",
    key=KeySchema("entityId", "atSequence"),
    attribute_types={
        "entityId": "S",
        "atSequence": "S",
        "sellerId": "S",
        "actor": "S",
        "at": "S",
    },
    indexes=(
        IndexSpec("bySeller", KeySchema("sellerId", "at")),
        IndexSpec("byActor", KeySchema("actor", "at")),
    ),
)

#: Staged photo uploads (issue 27): one item per upload id, written when the upload is
#: staged (declared type and size, expiry) and claimed once, by a conditional update,
#: by the listing that attaches it. Items expire by TTL (`expiresAt`, epoch seconds)
#: a day after staging; the staged file itself expires by the bucket's lifecycle rule.
UPLOADS = TableSpec(
    name="uploads",
    key=KeySchema("uploadId"),
    attribute_types={"uploadId": "S"},
    extra={"ttl_attribute": "expiresAt"},
)

TABLE_SPECS: tuple[TableSpec, ...] = (LISTINGS, SELLERS, HISTORY, UPLOADS)
LOGICAL_NAMES: tuple[str, ...] = tuple(spec.name for spec in TABLE_SPECS)

#: Live subscriptions on AWS: one item per WebSocket connection (`sk` = `connection`)
#: and one per subscription on it (`sk` = `sub#<operation id>`, with its `topic`,
#: e.g. `product#prd-001`, for the fan-out's byTopic lookups). Items expire by TTL.
#: Not in TABLE_SPECS: the gateway never reads it and the registry does not name it;
#: the WebSocket and fan-out functions get its name from the environment.
CONNECTIONS = TableSpec(
    name="connections",
    key=KeySchema("connectionId", "sk"),
    attribute_types={"connectionId": "S", "sk": "S", "topic": "S"},
    indexes=(IndexSpec("byTopic", KeySchema("topic", "connectionId")),),
    extra={"ttl_attribute": "expiresAt"},
)
#: Every table of a tenant account's deployment, the listings table without the shop's
#: indexes; the Terraform module creates `(*tenant_table_specs(indexed), CONNECTIONS)`
#: (tests/infra/specs.py, `deployment_specs`).
DEPLOYMENT_TABLE_SPECS: tuple[TableSpec, ...] = (*TABLE_SPECS, CONNECTIONS)


def physical_table_names(stage: str, tenant_id: str) -> dict[str, str]:
    """Default physical names: `<stage>-<tenant>-<table>`, e.g. `dev-kicks-listings`."""
    return {name: f"{stage}-{tenant_id}-{name}" for name in LOGICAL_NAMES}


def connections_table_name(stage: str, tenant_id: str) -> str:
    """The connections table of a tenant account: `<stage>-<tenant>-connections`."""
    return f"{stage}-{tenant_id}-{CONNECTIONS.name}"


def status_shard(status: str, listing_id: str) -> str:
    """The byStatus partition of a listing: `ACTIVE#0`..`ACTIVE#3`, spread by id."""
    return f"{status}#{zlib.crc32(listing_id.encode()) % STATUS_SHARDS}"


# -- the shop's indexes ------------------------------------------------------------------
