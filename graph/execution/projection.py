"""Which stored attributes an operation reads: the ProjectionExpression of its items.

The best hand-written code asks DynamoDB only for the attributes it shows; decoding
whole items (images, descriptions, custom maps) was a fifth of a product page's CPU.
For a query, every field the document selects on `Listing` or `Seller` (in any
operation or fragment: a superset is safe) is mapped to the attributes it reads; the
request's loaders and page queries then read only those, plus what the store itself
needs (keys, index keys for cursors, filtered paths: graph/store/expressions.py).

One set per entity for the whole request: the loaders' cache is shared by every path
of the document, so an item read for one field must hold what any other field of the
same type needs. A field this table does not know makes the entity unprojected (read
whole), so a new field can never read an attribute the projection left out. `custom`
is one of those on purpose: a brand's computed field may read any attribute of the
item (the kicks demo's `markup` reads `price`).
Mutations and subscriptions read whole items.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph.execution.internals import graphql_schema
from graph.loaders import ReadPlan

#: GraphQL field -> the stored attributes it reads, per entity type.
READS: dict[str, dict[str, tuple[str, ...]]] = {
    "Listing": {
        "id": ("listingId",),
        "title": ("title",),
        "description": ("description",),
        "condition": ("condition",),
        "status": ("status",),
        "price": ("price",),
        "images": ("images",),
        "photos": ("photos",),
        "productId": ("productId",),
        "createdAt": ("createdAt",),
        "updatedAt": ("updatedAt",),
        "version": ("version",),
        "seller": ("sellerId",),
        "history": ("listingId",),
        "__typename": (),
    },
    "Seller": {
        "id": ("sellerId",),
        "displayName": ("displayName",),
        "location": ("location",),
        "rating": ("rating",),
        "joinedAt": ("joinedAt",),
        "listings": ("sellerId",),
        "history": ("sellerId",),
        "__typename": (),
    },
}


class _Collect(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.reads: dict[str, set[str] | None] = {entity: set() for entity in READS}

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.type_info.get_parent_type()
        entity = get_named_type(parent).name if parent is not None else None
        if entity not in READS:
            return
        wanted = self.reads[entity]
        if wanted is None:
            return
        attributes = READS[entity].get(node.name.value)
        if attributes is None:
            self.reads[entity] = None  # unknown here: read the whole item
        else:
            wanted.update(attributes)


def plan_for(schema: GraphQLSchema, document: DocumentNode) -> ReadPlan:
    """The attributes `document` reads from listings and sellers in `schema`."""
    type_info = TypeInfo(schema)
    collect = _Collect(type_info)
    visit(document, TypeInfoVisitor(type_info, collect))
    listing, seller = collect.reads["Listing"], collect.reads["Seller"]
    return ReadPlan(
        listings=frozenset(listing) if listing is not None else None,
        sellers=frozenset(seller) if seller is not None else None,
    )


class ReadPlans:
    """Plans by (schema, document text), LRU bounded in entries and in the characters of
    the texts it keeps (`max_chars`): a storefront's few documents are walked once, and
    large distinct documents cannot grow the process."""

    def __init__(self, size: int = 1024, max_chars: int = 8 * 1024 * 1024) -> None:
        self.size = size
        self.max_chars = max_chars
        self.chars = 0
        self._plans: OrderedDict[tuple[int, str], tuple[GraphQLSchema, ReadPlan]] = OrderedDict()

    def get(self, schema: GraphQLSchema, query: str, document: DocumentNode) -> ReadPlan:
        key = (id(schema), query)
        found = self._plans.get(key)
        if found is not None and found[0] is schema:
            self._plans.move_to_end(key)
            return found[1]
        plan = plan_for(schema, document)
        if found is None:
            self.chars += len(query)
        self._plans[key] = (schema, plan)
        while len(self._plans) > self.size or self.chars > self.max_chars:
            (_, evicted), _ = self._plans.popitem(last=False)
            self.chars -= len(evicted)
        return plan


READ_PLANS = ReadPlans()


class ProjectReads(SchemaExtension):
    """Before a query executes, fill its context's read plan (the loaders and pages of
    the request then read only those attributes). Mutations and subscriptions keep
    reading whole items. After it, drop any read started ahead for a field that did
    not ask for it (graph/resolvers/sellers.py), so none outlives the request."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        reads = getattr(ec.context, "reads", None)
        if (
            isinstance(reads, ReadPlan)
            and ec.query
            and ec.graphql_document is not None
            and ec.operation_type == OperationType.QUERY
        ):
            plan = READ_PLANS.get(graphql_schema(ec.schema), ec.query, ec.graphql_document)
            reads.listings, reads.sellers = plan.listings, plan.sellers
        yield
        prefetched = getattr(ec.context, "prefetched", None)
        if prefetched:
            for started in prefetched.values():
                if not started.done():
                    started.cancel()
                elif not started.cancelled():
                    started.exception()  # retrieved: never logged as unhandled
            prefetched.clear()
