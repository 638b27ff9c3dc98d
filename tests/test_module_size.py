"""No Python module under graph/ is longer than 300 lines: one concept per module
(issue 12; /work/shared/design STYLE "Modules stay small"). Split a module that grows
past it by concept (see graph/limits/walk.py, graph/lambdas/, graph/cli/)."""

from __future__ import annotations

from pathlib import Path

GRAPH = Path(__file__).resolve().parent.parent / "graph"
MAX_LINES = 300

#: Modules another engineer is splitting in the same round (issue 12). Temporary: the
#: lead empties this when merging those branches, and the second test fails until then
#: for any entry that is already short enough or gone.
ALLOWED_FOR_NOW: dict[str, str] = {
    # The tenant's custom types (issue 12, "custom types built in"): split on another branch.
    "extensions/graphql.py": "split on another branch this round",
    # Exceptions, stats, Page, filter compiler, table names, backoff (issue 12, "the store
    # by concept"): split on another branch.
    "store/base.py": "split on another branch this round",
}


def line_counts() -> dict[str, int]:
    return {
        path.relative_to(GRAPH).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(GRAPH.rglob("*.py"))
    }


def test_every_module_under_graph_is_at_most_300_lines() -> None:
    counts = line_counts()
    assert len(counts) > 50, f"found only {len(counts)} modules under {GRAPH}: wrong folder?"
    too_long = {
        name: lines
        for name, lines in counts.items()
        if lines > MAX_LINES and name not in ALLOWED_FOR_NOW
    }
    assert not too_long, (
        f"modules over {MAX_LINES} lines: "
        + ", ".join(f"graph/{name} ({lines})" for name, lines in sorted(too_long.items()))
        + ". Split each by concept into modules under ~300 lines, keeping its public names."
    )


def test_the_allow_list_holds_only_modules_still_too_long() -> None:
    counts = line_counts()
    stale = {
        name: counts.get(name)
        for name in ALLOWED_FOR_NOW
        if counts.get(name) is None or counts[name] <= MAX_LINES
    }
    assert not stale, (
        f"remove from ALLOWED_FOR_NOW in {Path(__file__).name} (now gone or at most "
        f"{MAX_LINES} lines): "
        + ", ".join(f"graph/{name} ({lines} lines)" for name, lines in sorted(stale.items()))
    )
