"""`graph tenants offboard`'s export progress: rich's bars with the `cli` extra, plain
lines on stderr without it (rich is not a runtime dependency; the Lambda zip has none)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from graph.cli.common import export_progress


def export(table: str, pages: list[tuple[int, int | None]]) -> None:
    with export_progress() as (report, progress):
        update = progress(table)
        for done, total in pages:
            update(done, total)
        report(f"backed up {pages[-1][0]} items of {table}")


def test_without_rich_the_export_prints_plain_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for name in [m for m in sys.modules if m == "rich" or m.startswith("rich.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "rich", None)  # `import rich...` raises ImportError
    # DynamoDB's item count is an estimate (0 on a fresh table): the count read wins.
    export("test-acme-listings", [(0, 0), (1500, 0), (1507, 0)])
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "exporting test-acme-listings: 0/0",
        "exporting test-acme-listings: 1500/1500",
        "exporting test-acme-listings: 1507/1507",
        "backed up 1507 items of test-acme-listings",
    ]
    assert "rich" not in {m.split(".")[0] for m in sys.modules if sys.modules[m] is not None}


def test_with_rich_the_export_draws_a_bar(capsys: Any) -> None:
    pytest.importorskip("rich")
    export("test-acme-listings", [(0, 7), (7, 7)])
    err = capsys.readouterr().err
    assert "exporting test-acme-listings" in err
    assert "7/7" in err
    assert "backed up 7 items of test-acme-listings" in err
