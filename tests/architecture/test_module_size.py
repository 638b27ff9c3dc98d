"""No Python module under graph/ is longer than 300 lines: one concept per module
(issue 12; /work/shared/design STYLE "Modules stay small"). Split a module that grows
past it by concept (see graph/limits/walk.py, graph/lambdas/, graph/cli/)."""

from __future__ import annotations

from pathlib import Path

GRAPH = Path(__file__).resolve().parents[2] / "graph"
MAX_LINES = 300


def line_counts() -> dict[str, int]:
    return {
        path.relative_to(GRAPH).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(GRAPH.rglob("*.py"))
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
