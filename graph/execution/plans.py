"""How each field of an object type is read without graphql-core's resolver machinery.

A field has a plan (`Plain`) when Strawberry itself would resolve it with plain
`getattr` (no resolver, no field extensions or permission classes, the default
resolver), or when it names a direct read (DIRECT_READ below), and its type is a leaf
or an object type without `is_type_of`. graph/execution/execution.py uses the plans;
fields without one (arguments, lists, abstract types, ...) go to graphql-core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class Plain(NamedTuple):
    """A field read with `getattr`: a leaf (`serialize`), an object (`object_type`) or a
    list of objects (`item`: the plan of one item, `object_type` its type)."""

    attribute: str
    field_type: GraphQLOutputType
    nullable: bool
    serialize: Any = None
    object_type: GraphQLObjectType | None = None
    #: A resolver field's direct read (DIRECT_READ), instead of `getattr`.
    read: Callable[[Any, Any], Any] | None = None
    item: Plain | None = None


#: `strawberry.field(metadata={DIRECT_READ: read})` on a field with a resolver and no
#: arguments: `read(source, context)` answers it without the resolver when it can, and
#: returns NOT_READY when it cannot (the resolver then runs, as always).
DIRECT_READ = "graph.direct_read"
NOT_READY: Any = object()

#: Value types that are never awaitable (most leaf values): no awaitable check for them.
PLAIN_VALUES = frozenset({str, int, float, bool, Decimal})
#: Per object type of a built schema: field name -> its plan (None: graphql-core's way).
_PLANS: WeakKeyDictionary[GraphQLObjectType, dict[str, Plain | None]] = WeakKeyDictionary()


def plain(field: GraphQLField | None) -> Plain | None:
    """How to read `field` directly, or None when graphql-core must resolve it."""
    if field is None or field.args:
        return None
    defined = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(defined, StrawberryField) or defined.extensions:
        return None
    metadata: Mapping[Any, Any] = defined.metadata or {}
    read = metadata.get(DIRECT_READ)
    if read is None and not (
        defined.is_basic_field
        and defined.default_resolver is getattr
        and getattr(field.resolve, "_is_default", False)
    ):
        return None
    kind = get_nullable_type(field.type)
    nullable = not is_non_null_type(field.type)
    if is_leaf_type(kind):
        return Plain(defined.python_name, field.type, nullable, kind.serialize, read=read)
    if isinstance(kind, GraphQLObjectType) and kind.is_type_of is None:
        return Plain(defined.python_name, field.type, nullable, object_type=kind, read=read)
    if isinstance(kind, GraphQLList):
        item_type = kind.of_type
        item_kind = get_nullable_type(item_type)
        if isinstance(item_kind, GraphQLObjectType) and item_kind.is_type_of is None:
            item = Plain("", item_type, not is_non_null_type(item_type), object_type=item_kind)
            return Plain(defined.python_name, field.type, nullable, read=read, item=item)
    return None  # lists of leaves or lists, interfaces, unions: graphql-core's way


def plans_of(parent: GraphQLObjectType) -> dict[str, Plain | None]:
    plans = _PLANS.get(parent)
    if plans is None:
        plans = {name: plain(field) for name, field in parent.fields.items()}
        _PLANS[parent] = plans
    return plans


#: One step of an object's execution: (response name, plan or None, field details).
Step = tuple[str, Plain | None, Any]


def program(parent: GraphQLObjectType, grouped_field_set: Mapping[str, Any]) -> list[Step]:
    """The steps that execute a collected selection on `parent`, in response order."""
    plans = plans_of(parent)
    return [
        (name, plans.get(details[0].node.name.value), details)
        for name, details in grouped_field_set.items()
    ]
