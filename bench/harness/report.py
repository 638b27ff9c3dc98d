"""The report: the table printed at the end of `make bench`, and stdout handling."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from bench.harness.results import BenchResult
from bench.harness.stats import fmt_value


def table(results: Sequence[BenchResult]) -> str:
    rows: list[tuple[str, ...]] = []
    header = ("metric", "value", "baseline", "", "ratio", "goal / target")
    for result in results:
        rows.append((f"== {result.name}: {result.title}",))
        if result.error:
            rows.append(("  FAILED: " + result.error.splitlines()[-1],))
            continue
        for f in result.figures:
            ratio = "" if f.ratio is None else f"x{f.ratio:.2f}"
            target = ""
            if f.ratio_goal is not None or f.target is not None:
                mark = "met" if f.goal_met else "MISSED"
                target = f"{f.goal_threshold} {mark}"
            base = "" if f.baseline is None else fmt_value(f.baseline, f.unit)
            rows.append(
                (f"  {f.metric}", fmt_value(f.value, f.unit), base, f.baseline_label, ratio, target)
            )
    widths = [max([len(h)] + [len(r[i]) for r in rows if len(r) > i]) for i, h in enumerate(header)]
    widths[0] = max([len(header[0])] + [len(r[0]) for r in rows if len(r) > 1])

    def line(cells: Sequence[str]) -> str:
        aligned = [
            cell.rjust(w) if i in (1, 2, 4) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(aligned).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    for row in rows:
        out.append(row[0] if len(row) == 1 else line(row))
    return "\n".join(out)


def notes(results: Sequence[BenchResult]) -> str:
    lines = []
    for result in results:
        for note in result.notes:
            lines.append(f"  [{result.name}] {note}")
    return "\n".join(lines)


def quiet_stdout() -> int:
    """Point fd 1 at /dev/null; return a duplicate of the real one."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return saved


def restore_stdout(saved: int) -> None:
    sys.stdout.flush()
    os.dup2(saved, 1)
    os.close(saved)


# -- before / after -----------------------------------------------------------------------


def before_after(results: Sequence[BenchResult], before: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure of this run beside the figure of the same benchmark and metric in an
    earlier run's latest.json (`--before`): value now / value then. Figures whose name or
    baseline changed since are left out (their ratios to the same-run baseline are the
    comparison)."""
    earlier: dict[tuple[str, str, str], dict[str, Any]] = {}
    for bench in before.get("benchmarks", []):
        for f in bench.get("figures", []):
            earlier[(bench["name"], f["metric"], f.get("baseline_label", ""))] = f
    rows = []
    for result in results:
        for f in result.figures:
            then = earlier.get((result.name, f.metric, f.baseline_label))
            if then is None or not then.get("value"):
                continue
            rows.append(
                {
                    "benchmark": result.name,
                    "metric": f.metric,
                    "unit": f.unit,
                    "better": f.better,
                    "before": then["value"],
                    "after": f.value,
                    "after_over_before": round(f.value / then["value"], 4),
                    "ratio_before": then.get("ratio"),
                    "ratio_after": None if f.ratio is None else round(f.ratio, 4),
                }
            )
    return rows


def before_after_table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "  (no figure of the same name in the earlier run)"
    lines = []
    width = max(len(f"{r['benchmark']}: {r['metric']}") for r in rows)
    for r in rows:
        name = f"{r['benchmark']}: {r['metric']}".ljust(width)
        ratios = ""
        if r["ratio_before"] is not None and r["ratio_after"] is not None:
            ratios = f"  (ratio to baseline x{r['ratio_before']:.2f} -> x{r['ratio_after']:.2f})"
        lines.append(
            f"  {name}  {fmt_value(r['before'], r['unit']):>12} -> "
            f"{fmt_value(r['after'], r['unit']):>12}  x{r['after_over_before']:.2f}{ratios}"
        )
    return "\n".join(lines)
