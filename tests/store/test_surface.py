"""The store's surface and the direction of imports (issue 12).

- Code outside graph/store/ imports the store only as `graph.store`, and only names in
  its `__all__`; every name in `__all__` exists.
  (Which packages may import which is checked by import-linter in `make lint`: the
  contracts in pyproject.toml.)
- A request's store cannot append history; only the audit consumer's store can.
"""

from __future__ import annotations

import ast
import inspect
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import graph.store
from graph.store import (
    AuditStore,
    CursorCodec,
    HistoryReader,
    HistoryWriter,
    TableNames,
    TenantStore,
    create_tables,
    delete_tables,
)

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_STORE = ("graph", "tenants", "bench", "tests")


def _python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(line, module, names) of every import in a file, nested ones included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, tuple(a.name for a in node.names)


def _surface_problems(paths: Iterator[Path]) -> list[str]:
    surface = set(graph.store.__all__)
    store_dir = ROOT / "graph" / "store"
    problems = []
    for path in paths:
        if store_dir in path.parents:
            continue
        for line, module, names in _imports(path):
            if module.startswith("graph.store."):
                problems.append(f"{path.name}:{line} imports {module}")
            elif module == "graph.store":
                hidden = sorted(set(names) - surface - {"*"})
                if hidden:
                    problems.append(f"{path.name}:{line} imports {hidden} (not in __all__)")
    return problems


def test_outside_code_imports_only_the_store_surface() -> None:
    problems = _surface_problems(_python_files(*OUTSIDE_STORE))
    assert not problems, (
        "Import the store as `from graph.store import Name`, with Name in "
        "graph.store.__all__ (add it there if it belongs to the surface):\n" + "\n".join(problems)
    )


def test_the_surface_check_reports_submodules_and_hidden_names(tmp_path: Path) -> None:
    """What the walk above reports, so that its empty report means something."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import graph.store.client\n"
        "from graph.store import Item, valid_key\n"
        "def f():\n    from graph.store.keys import KeyReader\n"
    )
    assert sorted(_surface_problems(iter([sample]))) == [
        "sample.py:1 imports graph.store.client",
        "sample.py:2 imports ['valid_key'] (not in __all__)",
        "sample.py:4 imports graph.store.keys",
    ]


def test_every_name_in_all_exists() -> None:
    names = graph.store.__all__
    assert len(names) == len(set(names)), "graph.store.__all__ lists a name twice"
    missing = [name for name in names if not hasattr(graph.store, name)]
    assert not missing, f"graph.store.__all__ names what the package lacks: {missing}"


# -- who can append history ---------------------------------------------------------


def test_the_request_store_has_no_history_append() -> None:
    assert not hasattr(HistoryReader, "append")
    assert inspect.iscoroutinefunction(HistoryWriter.append)
    # The types say it: TenantStore.history is a reader, AuditStore.history a writer.
    store = TenantStore(object(), _names("x"), CursorCodec(b"s", "t"))
    assert type(store.history) is HistoryReader
    assert not hasattr(store.history, "append")
    assert type(AuditStore(object(), _names("x")).history) is HistoryWriter
    # No attribute of the request store reaches a writer either.
    writers = [name for name, value in vars(store).items() if isinstance(value, HistoryWriter)]
    assert writers == []


def _names(run: str) -> TableNames:
    return TableNames(f"t{run}-h-listings", f"t{run}-h-sellers", f"t{run}-h-history")


@pytest.fixture
async def tables(ddb: Any) -> Any:
    names = _names(uuid.uuid4().hex[:10])
    await create_tables(ddb, names)
    try:
        yield names
    finally:
        await delete_tables(ddb, names)


async def test_only_the_audit_store_appends_and_the_request_store_reads_it(
    ddb: Any, tables: TableNames
) -> None:
    entry = {
        "entityId": "listing#lst-1",
        "atSequence": "2026-12-01T10:00:00.000+00:00#000001",
        "event": "CREATED",
        "sellerId": "sel-1",
        "actor": "key-1",
        "at": "2026-12-01T10:00:00.000+00:00",
    }
    audit = AuditStore(ddb, tables)
    assert await audit.history.append(entry) is True
    assert await audit.history.append(entry) is False  # a replay adds nothing
    store = TenantStore(ddb, tables, CursorCodec(b"s", "t"))
    page = await store.history.of("listing#lst-1", first=10, after=None)
    assert [item["atSequence"] for item in page.items] == [entry["atSequence"]]
    with pytest.raises(AttributeError):
        await store.history.append(entry)  # type: ignore[attr-defined]
