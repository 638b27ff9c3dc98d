"""No module writes a private attribute of another object (Strawberry's included).

Walks the AST of every .py file under graph/ and tenants/ and fails on:

- an assignment (plain, augmented, annotated, `del`) to `<obj>._name` where `<obj>` is
  not `self` / `cls`;
- `setattr(obj, "_name", ...)` / `delattr(obj, "_name")` with a literal underscore name;
- a write through `__dict__` (`obj.__dict__[...] = ...`, `obj.__dict__.update(...)`);
- any read of `._schema` (Strawberry's graphql-core schema, which has no public
  accessor) outside graph/execution/internals.py, the one helper allowed to read it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("graph", "tenants")
SCHEMA_READER = Path("graph/execution/internals.py")
OWN = frozenset({"self", "cls"})
DICT_WRITERS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__"})


def _private(name: str) -> bool:
    return name.startswith("_")


def _owner(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _is_dunder_dict(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "__dict__"


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        out: list[ast.expr] = []
        for target in node.targets:
            out.extend(_flatten(target))
        return out
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return _flatten(node.target)
    if isinstance(node, ast.Delete):
        return [t for target in node.targets for t in _flatten(target)]
    return []


def _flatten(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        return [t for element in target.elts for t in _flatten(element)]
    if isinstance(target, ast.Starred):
        return _flatten(target.value)
    return [target]


def violations(source: str, relative: Path) -> list[str]:
    """`file:line: what` for every private write (and stray `._schema` read) in `source`."""
    found: list[str] = []
    tree = ast.parse(source, filename=str(relative))
    for node in ast.walk(tree):
        where = f"{relative}:{getattr(node, 'lineno', 0)}"
        for target in _targets(node):
            if (
                isinstance(target, ast.Attribute)
                and _private(target.attr)
                and _owner(target.value) not in OWN
            ):
                found.append(f"{where}: writes private attribute `.{target.attr}`")
            if isinstance(target, ast.Subscript) and _is_dunder_dict(target.value):
                found.append(f"{where}: writes through `__dict__`")
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Name)
                and func.id in {"setattr", "delattr"}
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and _private(node.args[1].value)
                and _owner(node.args[0]) not in OWN
            ):
                found.append(f"{where}: {func.id}(..., {node.args[1].value!r})")
            if (
                isinstance(func, ast.Attribute)
                and func.attr in DICT_WRITERS
                and _is_dunder_dict(func.value)
            ):
                found.append(f"{where}: writes through `__dict__.{func.attr}`")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "_schema"
            and isinstance(node.ctx, ast.Load)
            and relative != SCHEMA_READER
        ):
            found.append(
                f"{where}: reads `._schema` (use graph.execution.internals.graphql_schema)"
            )
    return found


def _files() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py"))


def test_the_scan_covers_the_code() -> None:
    files = [p.relative_to(ROOT) for p in _files()]
    assert Path("graph/tenancy/runtime.py") in files
    assert SCHEMA_READER in files
    assert len(files) > 50


def test_no_module_writes_a_private_attribute() -> None:
    found: list[str] = []
    for path in _files():
        found.extend(violations(path.read_text(), path.relative_to(ROOT)))
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("schema._schema = rebuilt", "writes private attribute `._schema`"),
        ("rebuilt._strawberry_schema = schema", "writes private attribute `._strawberry_schema`"),
        ("a.b._c += 1", "writes private attribute `._c`"),
        ("x, obj._y = 1, 2", "writes private attribute `._y`"),
        ("del obj._cache", "writes private attribute `._cache`"),
        ("setattr(obj, '_hidden', 1)", "setattr(..., '_hidden')"),
        ("obj.__dict__['x'] = 1", "writes through `__dict__`"),
        ("vars(obj); obj.__dict__.update(x=1)", "writes through `__dict__.update`"),
        ("g = schema._schema", "reads `._schema`"),
    ],
)
def test_the_scan_flags(source: str, expected: str) -> None:
    found = violations(source, Path("graph/example.py"))
    assert len(found) == 1, found
    assert expected in found[0], found


@pytest.mark.parametrize(
    "source",
    [
        "self._cache = {}",
        "cls._registry = []",
        "obj.public = 1",
        "setattr(obj, 'name', 1)",
        "value = self._private",
    ],
)
def test_the_scan_allows(source: str) -> None:
    assert violations(source, Path("graph/example.py")) == []


def test_the_one_schema_reader_may_read_it() -> None:
    assert violations("built = schema._schema", SCHEMA_READER) == []
