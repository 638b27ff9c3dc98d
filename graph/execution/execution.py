"""Execution without graphql-core's per-field machinery for plain fields.

Most fields of a page are plain attributes (`id`, `title`, `price { amount }`, `node`,
`edges`), for each of which graphql-core builds a resolve info, calls Strawberry's
default resolver, checks for an awaitable and completes the value through several
functions. Here each collected selection becomes a program (plans.py says which fields
qualify) run by `execute_fields`: a plain leaf is read and serialized in the loop, a
plain object or list of objects is completed without a resolve info, and everything
else goes to graphql-core's `execute_field` unchanged (arguments, field extensions,
abstract types, resolver middleware, `@stream`); so does a plain field whose value is
null where the type forbids it, refused by its scalar, awaitable, or whose read raises:
graphql-core resolves it again, with errors, paths and null propagation as always
(tests/unit/test_plain_fields_execution.py runs every case through both).
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from types import GeneratorType
from typing import Any

from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLResolveInfoHelpers, Undefined
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.execution import plans
from graph.execution.plans import DIRECT_READ, NOT_READY, PLAIN_VALUES, Plain, Step

__all__ = ["DIRECT_READ", "NOT_READY", "PlainFieldsExecution"]


class PlainFieldsExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain fields read directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _helpers(weakref.ref(self))
        manager = self.middleware_manager
        # resolver middleware (a Strawberry extension's `resolve`) sees every field
        self._direct = manager is None or not manager.middlewares
        #: Per collected selection (graphql-core memoizes them): the set and its program.
        self._programs: dict[int, tuple[Any, list[Step]]] = {}
        #: Types whose values are complete as they are: not errors, not awaitable.
        self._ready: set[type] = set(PLAIN_VALUES)

    def _is_ready(self, value: Any) -> bool:
        """Neither an error nor awaitable (graphql-core handles both). Remembered per
        type: Python's `await` itself looks only at the type; generators, whose
        awaitability is per object, are never remembered."""
        kind = type(value)
        if kind in self._ready:
            return True
        if isinstance(value, Exception) or self.is_awaitable(value):
            return False
        if kind is not GeneratorType:
            self._ready.add(kind)
        return True

    def _read(self, plan: Plain, source: Any) -> Any:
        """The field's value, ready to complete; NOT_READY when graphql-core must
        resolve it (a failed read, an error value, an awaitable, a null for a non-null
        type). `execute_fields` has the same steps inline (its loop is the hot path)."""
        try:
            if plan.read is None:
                value = getattr(source, plan.attribute, NOT_READY)
            else:
                value = plan.read(source, self.context_value)
        except Exception:  # the read failed: graphql-core reads again and reports it
            return NOT_READY
        if value is None:
            return None if plan.nullable else NOT_READY
        if value is NOT_READY or not self._is_ready(value):
            return NOT_READY  # graphql-core awaits an awaitable value itself
        return value

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, running the selection's program: plain
        fields are read and completed in the loop, every other field (and a plain one
        that is not ready) goes to graphql-core's `execute_field`."""
        if not self._direct:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        found = self._programs.get(id(grouped_field_set))
        if found is None or found[0] is not grouped_field_set:
            found = (grouped_field_set, plans.program(parent_type, grouped_field_set))
            self._programs[id(grouped_field_set)] = found
        context, is_awaitable, ready = self.context_value, self.is_awaitable, self._ready
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for response_name, plan, field_details_list in found[1]:
                if plan is not None:
                    try:
                        value = (
                            getattr(source_value, plan.attribute, NOT_READY)
                            if plan.read is None
                            else plan.read(source_value, context)
                        )
                    except Exception:  # graphql-core reads again and reports it
                        value = NOT_READY
                    if value is None:
                        if plan.nullable:
                            results[response_name] = None
                            continue
                    elif value is not NOT_READY and (type(value) in ready or self._is_ready(value)):
                        if plan.serialize is not None:
                            try:
                                serialized = plan.serialize(value)
                            except Exception:  # the scalar refuses it: graphql-core says so
                                serialized = None
                            if serialized is not None and serialized is not Undefined:
                                results[response_name] = serialized
                                continue
                        else:
                            complete = self._complete_object if plan.item is None else self._list
                            result = complete(
                                plan,
                                field_details_list,
                                Path(path, response_name, parent_type.name),
                                value,
                                position_context,
                            )
                            if result is not NOT_READY:
                                results[response_name] = result
                                if type(result) is not dict and is_awaitable(result):
                                    awaitable_fields.append(response_name)
                                continue
                result = super().execute_field(  # graphql-core's, not ours
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if type(result) is not dict and is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:  # as graphql-core: settle what other fields started
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _gather(results, awaitable_fields)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """One field outside `execute_fields` (a mutation's serial root fields)."""
        plan = plans.plans_of(parent_type).get(field_details_list[0].node.name.value)
        if plan is not None and self._direct:
            value = self._read(plan, source)
            if value is not None and value is not NOT_READY:
                if plan.serialize is None:
                    complete = self._complete_object if plan.item is None else self._list
                    value = complete(plan, field_details_list, path, value, position_context)
                    if value is not NOT_READY:
                        return value
                    return super().execute_field(
                        parent_type, source, field_details_list, path, position_context
                    )
                try:
                    value = plan.serialize(value)
                except Exception:  # the scalar refuses it: graphql-core says so
                    value = None
                if value is None or value is Undefined:
                    value = NOT_READY
            if value is not NOT_READY:
                return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _complete_object(
        self,
        plan: Plain,
        field_details_list: Any,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's completion of an object value, without a resolve info (an
        object type without `is_type_of` never reads it); an error below it is handled
        as graphql-core's `execute_field` handles it. Without incremental delivery in
        play, the collected selection goes straight to `execute_fields`."""
        object_type = plan.object_type
        assert object_type is not None
        try:
            grouped_field_set, defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            if defer_usages or position_context is not None:
                completed = self.collect_and_execute_subfields(
                    object_type, field_details_list, path, value, position_context
                )
            else:
                completed = self.execute_fields(
                    object_type, value, path, grouped_field_set, position_context
                )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.field_type, field_details_list, path)
            return None
        if type(completed) is not dict and self.is_awaitable(completed):
            return self._awaited(completed, plan.field_type, field_details_list, path)
        return completed

    def _list(
        self,
        plan: Plain,
        field_details_list: Any,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's completion of a list of objects, each item completed as
        `_complete_object` completes an object; NOT_READY (graphql-core completes it)
        unless the value is a list of ready objects and no node asks for `@stream`."""
        item = plan.item
        assert item is not None
        if type(value) is not list or any(
            details.node.directives for details in field_details_list
        ):
            return NOT_READY
        ready = self._ready
        for member in value:
            if type(member) not in ready and (member is None or not self._is_ready(member)):
                return NOT_READY
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, member in enumerate(value):
                result = self._complete_object(
                    item, field_details_list, path.add_key(index, None), member, position_context
                )
                if type(result) is not dict and self.is_awaitable(result):
                    awaitable_indices.append(index)
                completed.append(result)
        except Exception as raw_error:
            if awaitable_indices:  # as graphql-core: settle what other items started
                self.settle_in_background([completed[i] for i in awaitable_indices])
            self.handle_field_error(raw_error, plan.field_type, field_details_list, path)
            return None
        if not awaitable_indices:
            return completed
        gathered = _gather(completed, awaitable_indices)
        return self._awaited(gathered, plan.field_type, field_details_list, path)

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


async def _gather(results: Any, keys: list[Any]) -> Any:
    """The awaitable results at `keys` (of a dict of fields or a list of items) awaited
    together and put in their places (graphql-core's way)."""
    if len(keys) == 1:
        results[keys[0]] = await results[keys[0]]
    else:
        awaited = await gather_with_cancel(*(results[key] for key in keys))
        for key, value in zip(keys, awaited, strict=True):
            results[key] = value
    return results


def _helpers(executor: weakref.ref[PlainFieldsExecution]) -> GraphQLResolveInfoHelpers:
    """`info.async_helpers` without graphql-core's cycle (its own hold the executor's
    bound methods, so a request's executor, context, store and items waited for the
    garbage collector). `gather` is graphql-core's own; `track` registers with the
    executor while its execution runs, the only time a resolver calls it."""

    def track(values: Sequence[Any]) -> None:
        live = executor()
        if live is not None:
            live.track_async_work(values)

    return GraphQLResolveInfoHelpers(gather=lambda values: gather_with_cancel(*values), track=track)
