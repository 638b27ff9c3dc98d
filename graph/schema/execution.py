"""Execution without graphql-core's per-field machinery for plain fields.

Most fields of a page are plain attributes: `id`, `title`, `price { amount }`, `node`.
For each of them graphql-core builds a resolve info, calls Strawberry's default
resolver (which calls `getattr`), checks for an awaitable and completes the value
through several functions; that was most of a page's execution time.
`PlainFieldsExecution` reads such a field with `getattr` and completes it as
graphql-core would: a scalar or enum with its type's own `serialize`, an object type
(without `is_type_of`) by executing its sub-selection. Every other case goes to
graphql-core unchanged: fields with arguments, extensions, list or abstract types,
resolver middleware; a value that is null where the type forbids it, that the scalar
refuses, that is awaitable, or whose read raises. graphql-core then resolves the field
again and reports any error as it always does, so errors, paths and null propagation
are exactly graphql-core's (tests/unit/test_plain_fields_execution.py runs every case
through both).

A field qualifies when Strawberry itself would resolve it with plain `getattr` (no
resolver, no field extensions or permission classes, the default resolver), or when
it names a direct read (DIRECT_READ below).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class Plain(NamedTuple):
    """A field read with `getattr`: a leaf (`serialize`) or an object (`object_type`)."""

    attribute: str
    field_type: GraphQLOutputType
    nullable: bool
    serialize: Any = None
    object_type: GraphQLObjectType | None = None
    #: A resolver field's direct read (DIRECT_READ), instead of `getattr`.
    read: Callable[[Any, Any], Any] | None = None


#: `strawberry.field(metadata={DIRECT_READ: read})` on a field with a resolver and no
#: arguments: `read(source, context)` answers it without the resolver when it can, and
#: returns NOT_READY when it cannot (the resolver then runs, as always).
DIRECT_READ = "graph.direct_read"
NOT_READY: Any = object()

#: Value types that are never awaitable (most leaf values): no awaitable check for them.
_PLAIN_VALUES = frozenset({str, int, float, bool, Decimal})
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
    return None  # lists, interfaces, unions: graphql-core's way


def _plans(parent: GraphQLObjectType) -> dict[str, Plain | None]:
    plans = _PLANS.get(parent)
    if plans is None:
        plans = {name: plain(field) for name, field in parent.fields.items()}
        _PLANS[parent] = plans
    return plans


class PlainFieldsExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain fields read directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # resolver middleware (a Strawberry extension's `resolve`) sees every field
        self._direct = manager is None or not manager.middlewares
        self._plans: dict[GraphQLObjectType, dict[str, Plain | None]] = {}

    def _plans_of(self, parent_type: GraphQLObjectType) -> dict[str, Plain | None]:
        plans = self._plans.get(parent_type)
        if plans is None:
            plans = self._plans[parent_type] = _plans(parent_type)
        return plans

    def _read(self, plan: Plain, source: Any) -> Any:
        """The field's value, ready to complete; NOT_READY when graphql-core must
        resolve it (a failed read, an error value, an awaitable, a null for a non-null
        type)."""
        try:
            if plan.read is None:
                value = getattr(source, plan.attribute, NOT_READY)
            else:
                value = plan.read(source, self.context_value)
        except Exception:  # the read failed: graphql-core reads again and reports it
            return NOT_READY
        if value is None:
            return None if plan.nullable else NOT_READY
        if value is NOT_READY or isinstance(value, Exception):
            return NOT_READY
        if type(value) in _PLAIN_VALUES or not self.is_awaitable(value):
            return value
        return NOT_READY  # graphql-core awaits an awaitable value itself

    def _leaf(self, plan: Plain, source: Any) -> Any:
        """A leaf field's serialized value (None for a null), or NOT_READY."""
        value = self._read(plan, source)
        if value is None or value is NOT_READY:
            return value
        try:
            serialized = plan.serialize(value)
        except Exception:  # the scalar refuses it: graphql-core reports it
            return NOT_READY
        if serialized is None or serialized is Undefined:
            return NOT_READY
        return serialized

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, with plain leaf fields answered in the loop:
        no path, no `execute_field` call and no awaitable check for them. Every other
        field, and a leaf that is not ready, goes through `execute_field` as before."""
        if not self._direct:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plans = self._plans_of(parent_type)
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                plan = plans.get(field_details_list[0].node.name.value)
                if plan is not None and plan.object_type is None:
                    value = self._leaf(plan, source_value)
                    if value is not NOT_READY:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if type(result) is not dict and self.is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:  # as graphql-core: settle what other fields started
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _gather_fields(results, awaitable_fields)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        plan = self._plans_of(parent_type).get(field_details_list[0].node.name.value)
        if plan is not None and self._direct:
            if plan.object_type is None:
                value = self._leaf(plan, source)
            else:
                value = self._read(plan, source)
                if value is not None and value is not NOT_READY:
                    return self._complete_object(
                        plan, plan.object_type, field_details_list, path, value, position_context
                    )
            if value is not NOT_READY:
                return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _complete_object(
        self,
        plan: Plain,
        object_type: GraphQLObjectType,
        field_details_list: Any,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's completion of an object value, without a resolve info (an
        object type without `is_type_of` never reads it); an error below it is handled
        as graphql-core's `execute_field` handles it."""
        try:
            completed = self.collect_and_execute_subfields(
                object_type, field_details_list, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.field_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._awaited(completed, plan.field_type, field_details_list, path)
        return completed

    async def _awaited(
        self,
        completed: Awaitable[Any],
        field_type: GraphQLOutputType,
        field_details_list: Any,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None


async def _gather_fields(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    """The fields' awaitable results awaited together, in place (graphql-core's way)."""
    if len(awaitable_fields) == 1:
        name = awaitable_fields[0]
        results[name] = await results[name]
    else:
        awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results
