"""Issues 15's and 31's goals: their names (figures carry them as `Figure.goal`), the
list the report walks, and the goals table printed at the end of `make bench`.

A goal is met or missed on a figure measured in the same run: a ratio to its baseline
(`Figure.ratio_goal`) or a bound on the value (`Figure.target`). A goal whose benchmark
did not run (or failed) is reported as not measured, never as met.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.harness.results import BenchResult, Figure

_KEYS = {
    "cpu_ms_per_request": "CPU per request",
    "p50": "p50",
    "p99": "p99",
    "throughput": "throughput at 8 concurrent",
    "cpu_ms": "CPU per invocation",
}


def product_page(first: int, key: str) -> str:
    return f"product page N={first}: {_KEYS[key]}, gateway / hand-written HTTP (projected)"


def lambda_pair(first: int, key: str) -> str:
    return f"Lambda pair N={first}: {_KEYS[key]}, gateway_handler / hand-written handler"


NOISY_P50 = "noisy neighbour: B's p50 while A (default limits) floods / B alone"
NOISY_P95 = "noisy neighbour: B's p95 while A (default limits) floods / B alone"
AUDIT = "audit consumer: records/s into history / conditional puts, 100 in flight"
SELLER_WAVES = "seller { listings }: DynamoDB waves"


def item_parser_cpu(first: int) -> str:
    return (
        f"product page N={first}: CPU per request, gateway / hand-written HTTP with the "
        "gateway's item parser"
    )


COLD_START = "cold start: gateway_handler / hand-written handler, spawn to first answer"
COLD_IMPORT = "cold start: import of graph.lambdas.gateway"

#: Every goal of issue 15's "Goals" list that one run measures, in the issue's order.
ISSUE_15: tuple[str, ...] = (
    *(product_page(n, k) for n in (20, 100) for k in ("cpu_ms_per_request", "p50", "p99")),
    *(product_page(n, "throughput") for n in (20, 100)),
    *(lambda_pair(n, k) for n in (20, 100) for k in ("p50", "cpu_ms")),
    NOISY_P50,
    NOISY_P95,
    AUDIT,
    SELLER_WAVES,
)
#: Issue 31's: the GraphQL layer's own cost, and the cold start.
ISSUE_31: tuple[str, ...] = (*(item_parser_cpu(n) for n in (20, 100)), COLD_START, COLD_IMPORT)
GOALS: tuple[str, ...] = (*ISSUE_15, *ISSUE_31)


def goal_figures(results: Sequence[BenchResult]) -> dict[str, Figure]:
    return {f.goal: f for r in results if not r.error for f in r.figures if f.goal}


def goals_json(results: Sequence[BenchResult]) -> list[dict[str, Any]]:
    """One entry per goal: goal, figure, value, baseline, ratio, threshold, met (None
    when not measured in this run)."""
    found = goal_figures(results)
    out = []
    for goal in GOALS:
        figure = found.get(goal)
        if figure is None:
            out.append({"goal": goal, "figure": None, "threshold": None, "met": None})
        else:
            out.append(figure.goal_json())
    return out


def goals_table(results: Sequence[BenchResult]) -> str:
    rows = []
    for entry in goals_json(results):
        if entry["figure"] is None:
            rows.append((entry["goal"], "", "", "not measured"))
            continue
        ratio = entry["ratio"]
        if entry["threshold_on"] == "ratio" and ratio is not None:
            measured = f"x{ratio:.2f}"
        else:
            measured = f"{entry['value']:g} {entry['unit']}"
        mark = {True: "met", False: "MISSED", None: "n/a"}[entry["met"]]
        rows.append((entry["goal"], measured, entry["threshold"], mark))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join(
            cell.rjust(w) if i == 1 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    met = sum(1 for e in goals_json(results) if e["met"])
    return "\n".join([*lines, f"{met} of {len(rows)} goals met"])
