"""Plain fields read directly (graph/execution/execution.py) answer exactly as graphql-core.

Each query runs twice over the same objects: with `PlainFieldsExecution` and with
Strawberry's own execution context. Data, error messages, paths and locations must be
equal, including null propagation through plain objects and lists of objects, values a
scalar refuses, reads that raise, async fields below a plain object or list item, and
list values that are not lists of ready objects.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from enum import Enum
from typing import Any, ClassVar

import pytest
import strawberry
from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.execution.execution import DIRECT_READ, NOT_READY, PlainFieldsExecution


@strawberry.enum
class Tone(Enum):
    DARK = "DARK"
    LIGHT = "LIGHT"


@strawberry.type
class Inner:
    label: str
    maybe: int | None
    tone: Tone

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        if self.label == "boom":
            raise ValueError("later failed")
        return self.label.upper()


@strawberry.type
class Box:
    name: str
    count: int
    inner: Inner
    spare: Inner | None
    items: list[Inner]
    extras: list[Inner | None] | None


class Reads:
    """An object whose attributes are read lazily, like the gateway's Listing."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__["values"]
        if name not in values:
            raise AttributeError(name)
        value = values[name]
        if isinstance(value, BaseException):
            raise value
        return value


class Ready:
    """An awaitable that may be awaited again (each run of a case awaits it)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Any:
        yield from asyncio.sleep(0).__await__()
        return self.value


def box(**overrides: Any) -> Any:
    inner = Reads({"label": "in", "maybe": None, "tone": Tone.DARK})
    second = Reads({"label": "two", "maybe": 2, "tone": Tone.LIGHT})
    values: dict[str, Any] = {"name": "b", "count": 3, "inner": inner, "spare": None}
    values.update(items=[inner, second], extras=None)
    values.update(overrides)
    return Reads(values)


BOXES: list[Any] = []
RESOLVED: list[str] = []


def _direct_best(box: Any, context: Any) -> Any:
    """Answers when the box holds `best`; NOT_READY otherwise (the resolver runs)."""
    best = box.values.get("best", NOT_READY)
    if isinstance(best, BaseException):
        raise best
    return best


@strawberry.type
class Shelf:
    name: str

    @strawberry.field(metadata={DIRECT_READ: _direct_best})
    def best(self) -> Inner | None:
        RESOLVED.append(self.name)  # the same answer as the direct read, by other means
        values: dict[str, Any] = self.values  # type: ignore[attr-defined]
        best = values.get("best", NOT_READY)
        if isinstance(best, BaseException):
            raise best
        return values.get("fallback") if best is NOT_READY else best  # type: ignore[no-any-return]


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self) -> list[Box | None]:
        return BOXES

    @strawberry.field
    def first(self) -> Box:
        return BOXES[0]

    @strawberry.field
    def shelves(self) -> list[Shelf]:
        return BOXES


def schema(context: type[StrawberryGraphQLCoreExecutionContext], *extensions: Any) -> Any:
    return strawberry.Schema(
        query=Query, execution_context_class=context, extensions=list(extensions)
    )


def run(query: str, *extensions: Any) -> tuple[ExecutionResult, ExecutionResult]:
    results = []
    for context in (PlainFieldsExecution, StrawberryGraphQLCoreExecutionContext):
        results.append(asyncio.run(schema(context, *extensions).execute(query)))
    return results[0], results[1]


def shape(result: ExecutionResult) -> tuple[Any, list[tuple[str, Any, Any]]]:
    errors = [
        (e.message, e.path, [(x.line, x.column) for x in e.locations or []])
        for e in result.errors or []
    ]
    return result.data, errors


FULL = """{ boxes { name count inner { label maybe tone later } spare { label }
                    items { label tone } timed: items { later } extras { label maybe } }
            first { name inner { label } items { tone } } }"""


def inner(label: Any = "i", tone: Any = Tone.DARK) -> Reads:
    return Reads({"label": label, "maybe": 1, "tone": tone})


CASES = {
    "all plain": [
        box(),
        box(name="c", spare=Reads({"label": "s", "maybe": 1, "tone": Tone.LIGHT})),
    ],
    "null in a non-null leaf": [box(name=None), box()],
    "a value the scalar refuses": [box(count="three"), box()],
    "a read that raises": [box(name=KeyError("name")), box()],
    "a read that raises AttributeError": [box(count=AttributeError("count")), box()],
    "an exception as the value": [box(name=ValueError("as a value"))],
    "null in a non-null object": [box(inner=None), box()],
    "an error inside a plain object propagates": [
        box(inner=Reads({"label": None, "maybe": 1, "tone": Tone.DARK}))
    ],
    "an async field below a plain object fails": [
        box(inner=Reads({"label": "boom", "maybe": 1, "tone": Tone.DARK})),
        box(),
    ],
    "an enum value that is not one": [
        box(inner=Reads({"label": "x", "maybe": 1, "tone": "PURPLE"}))
    ],
    "awaitable values in plain fields": [
        box(name=Ready("later"), inner=Ready(Reads({"label": "x", "maybe": 1, "tone": Tone.DARK})))
    ],
    "plain lists": [box(items=[inner("a"), inner("b")], extras=[inner("c")]), box(items=[])],
    "null items": [box(items=[inner(), None]), box(extras=[None, inner()])],
    "an error inside a list item propagates": [box(items=[inner(), inner(None)]), box()],
    "an error inside a nullable list item": [box(extras=[inner(), inner(None)])],
    "an async field in a list item fails": [box(items=[inner(), inner("boom")]), box()],
    "list values that are not lists": [box(items=(inner(),)), box(items="abc"), box(items=3)],
    "awaitable list and list items": [box(items=[Ready(inner())]), box(extras=Ready([inner()]))],
    "a list read that raises": [box(items=KeyError("items")), box()],
}


NO_ERRORS = ("all plain", "awaitable values in plain fields", "plain lists")
NO_ERRORS += ("awaitable list and list items",)


@pytest.mark.parametrize("case", list(CASES))
def test_answers_exactly_as_graphql_core(case: str) -> None:
    BOXES[:] = CASES[case]
    direct, core = run(FULL)
    assert shape(direct) == shape(core)
    if case not in NO_ERRORS:
        assert direct.errors  # the case is a real error case


def test_plain_fields_skip_graphql_core_and_others_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    BOXES[:] = [box(), box()]
    generic: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counting(self: Any, parent: Any, source: Any, details: Any, *rest: Any) -> Any:
        generic.append(f"{parent.name}.{details[0].node.name.value}")
        return original(self, parent, source, details, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    direct = asyncio.run(schema(PlainFieldsExecution).execute(FULL))
    assert not direct.errors
    # resolvers (boxes, first, later) are graphql-core's; every plain field is read directly
    assert sorted(set(generic)) == ["Inner.later", "Query.boxes", "Query.first"]


class SeesEveryField(SchemaExtension):
    seen: ClassVar[list[str]] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        SeesEveryField.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def test_a_resolve_extension_still_sees_every_field() -> None:
    BOXES[:] = [box()]
    SeesEveryField.seen = []
    direct, core = run("{ first { name count inner { label } } }", SeesEveryField)
    assert shape(direct) == shape(core)
    assert SeesEveryField.seen.count("name") == 2  # once per execution
    assert SeesEveryField.seen.count("label") == 2


def test_plans_are_per_type_of_each_schema() -> None:
    BOXES[:] = [box()]
    for _ in range(2):  # a second schema's types get their own plans
        direct, core = run("{ first { name inner { tone } } }")
        assert (
            shape(direct)
            == shape(core)
            == ({"first": {"name": "b", "inner": {"tone": "DARK"}}}, [])
        )


def test_a_direct_read_answers_without_the_resolver_or_leaves_it_to_run() -> None:
    inner = Reads({"label": "in", "maybe": None, "tone": Tone.DARK})
    BOXES[:] = [
        Reads({"name": "read", "best": inner}),  # answered by the direct read
        Reads({"name": "none", "best": None}),  # answered: null
        Reads({"name": "later", "fallback": inner}),  # NOT_READY: the resolver runs
        Reads({"name": "fails", "best": KeyError("x"), "fallback": None}),  # resolver runs
    ]
    RESOLVED.clear()
    direct = asyncio.run(
        schema(PlainFieldsExecution).execute("{ shelves { name best { label } } }")
    )
    assert RESOLVED == ["later", "fails"]
    RESOLVED.clear()
    core = asyncio.run(
        schema(StrawberryGraphQLCoreExecutionContext).execute("{ shelves { name best { label } } }")
    )
    assert RESOLVED == ["read", "none", "later", "fails"]
    assert shape(direct) == shape(core)
    assert [e.path for e in direct.errors or []] == [["shelves", 3, "best"]]
    assert direct.data == {
        "shelves": [
            {"name": "read", "best": {"label": "in"}},
            {"name": "none", "best": None},
            {"name": "later", "best": {"label": "in"}},
            {"name": "fails", "best": None},
        ]
    }


def test_a_finished_execution_is_freed_without_the_garbage_collector() -> None:
    """Reference counting frees an execution's executor and context when it ends; with
    graphql-core's own resolver helpers (bound methods of the executor) every request's
    context, store and items waited for the next garbage collection instead."""

    class Context:
        pass

    BOXES[:] = [box()]
    context = Context()
    alive = weakref.ref(context)
    query = "{ first { name inner { later } } }"
    gc.collect()
    gc.disable()
    try:
        result = asyncio.run(schema(PlainFieldsExecution).execute(query, context_value=context))
        assert result.errors is None
        assert result.data == {"first": {"name": "b", "inner": {"later": "IN"}}}
        del context, result
        assert alive() is None
    finally:
        gc.enable()
