"""No Python module under graph/ is longer than 300 lines: one concept per module
(issue 12; /work/shared/design STYLE "Modules stay small"). Split a module that grows
past it by concept (see graph/limits/walk.py, graph/lambdas/, graph/cli/)."""

from __future__ import annotations

from pathlib import Path

GRAPH = Path(__file__).resolve().parents[2] / "graph"
BENCH = GRAPH.parent / "bench"
MAX_LINES = 300


def line_counts(folder: Path = GRAPH) -> dict[str, int]:
    return {
        path.relative_to(folder).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(folder.rglob("*.py"))
    }


def test_every_module_under_graph_is_at_most_300_lines() -> None:
    counts = line_counts()
    assert len(counts) > 50, f"found only {len(counts)} modules under {GRAPH}: wrong folder?"
    too_long = {name: lines for name, lines in counts.items() if lines > MAX_LINES}
    assert not too_long, (
        f"modules over {MAX_LINES} lines: "
        + ", ".join(f"graph/{name} ({lines})" for name, lines in sorted(too_long.items()))
        + ". Split each by concept into modules under ~300 lines, keeping its public names."
    )


def test_every_module_under_bench_is_at_most_300_lines() -> None:
    counts = line_counts(BENCH)
    assert len(counts) > 20, f"found only {len(counts)} modules under {BENCH}: wrong folder?"
    too_long = {name: lines for name, lines in counts.items() if lines > MAX_LINES}
    assert not too_long, (
        f"modules over {MAX_LINES} lines: "
        + ", ".join(f"bench/{name} ({lines})" for name, lines in sorted(too_long.items()))
        + ". Split each by concept into modules under ~300 lines."
    )


def test_at_most_eight_modules_at_the_top_of_graph() -> None:
    """The top of graph/ holds a handful of leaves; everything else lives in a package
    named for its concept (docs/architecture.md)."""
    top = sorted(p.name for p in GRAPH.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= 8, f"{len(top)} modules directly under graph/: {top}"
