"""`make bench`: run every benchmark, print the table, write bench/results/latest.json.

    .venv/bin/python -m bench [--quick] [--only NAME,NAME] [--out PATH]

Figures are always printed beside a baseline measured in the same run, with the
ratio; absolute numbers vary by machine, the ratios are the headline.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.benchmarks import (
    audit_throughput,
    calls,
    cold_start,
    extension_scale,
    field_cost,
    lambda_pair,
    noisy_neighbour,
    photo_creates,
    product_page,
    shop_page,
    tenant_scale,
)
from bench.harness.budget import Budget
from bench.harness.cost_model import model, model_text
from bench.harness.env import ROOT, BenchEnv
from bench.harness.goals import goals_json, goals_table
from bench.harness.procinfo import machine
from bench.harness.progress import say
from bench.harness.report import (
    before_after,
    before_after_table,
    notes,
    quiet_stdout,
    restore_stdout,
    table,
)
from bench.harness.results import Benchmark, BenchResult

#: In run order. A new benchmark is a module exporting BENCHMARK, added here.
BENCHMARKS: tuple[Benchmark, ...] = (
    calls.BENCHMARK,
    field_cost.BENCHMARK,
    product_page.BENCHMARK,
    shop_page.BENCHMARK,
    lambda_pair.BENCHMARK,
    noisy_neighbour.BENCHMARK,
    cold_start.BENCHMARK,
    tenant_scale.BENCHMARK,
    extension_scale.BENCHMARK,
    audit_throughput.BENCHMARK,
    photo_creates.BENCHMARK,
)
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    names = [b.name for b in BENCHMARKS]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a ~1 minute smoke run")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {names}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the JSON to write")
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="an earlier run's latest.json: print and record each figure before and after",
    )
    args = parser.parse_args(argv)
    wanted = [n for n in args.only.split(",") if n]
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {names}")
    args.selected = [b for b in BENCHMARKS if not wanted or b.name in wanted]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    budget = Budget.quick_run() if args.quick else Budget.full()
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    info = machine(ROOT)
    say(
        f"machine: {info['cores']} cores, {info['cpu']}, {info['memory']}, Python "
        f"{info['python']}; load average {info['loadavg_at_start']}"
    )
    if info["loadavg_at_start"][0] > 0.5:
        say("  note: the machine is not idle (tests running?); figures will carry that noise")
    mode = "quick" if budget.quick else "full"
    say(f"mode: {mode}; benchmarks: {[b.name for b in args.selected]}")
    env = BenchEnv(budget)
    results: list[BenchResult] = []
    # The app logs a line (and a metrics line) per request on stdout; in-process
    # benchmarks would interleave thousands of them with the table. Park fd 1 on
    # /dev/null while measuring; progress goes to stderr.
    real_stdout = quiet_stdout()
    try:
        for bench in args.selected:
            say(f"-- {bench.name}: {bench.title}")
            t0 = time.perf_counter()
            try:
                result = bench.run(env)
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                result = BenchResult(bench.name, bench.title, error=f"{type(exc).__name__}: {exc}")
            result.seconds = time.perf_counter() - t0
            say(f"   {bench.name} done in {result.seconds:.1f}s")
            results.append(result)
    except KeyboardInterrupt:
        say("interrupted: writing what was measured")
    finally:
        env.close()
        restore_stdout(real_stdout)
    duration = time.perf_counter() - started
    info["loadavg_at_end"] = [round(v, 2) for v in os.getloadavg()]
    compared = None
    if args.before is not None:
        compared = before_after(results, json.loads(args.before.read_text()))
    cost = model(results)
    report = {
        "format": 1,
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 1),
        "mode": "quick" if budget.quick else "full",
        "machine": info,
        "budget": budget.__dict__,
        "goals": goals_json(results),
        "cost_model": cost,
        "before_after": compared,
        "benchmarks": [r.to_json() for r in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print()
    print(
        f"Resale Graph benchmarks ({report['mode']}) - {info['cores']} cores, {info['cpu']}, "
        f"Python {info['python']}, git {info['git']['commit']}"
        f"{' (dirty)' if info['git']['dirty'] else ''}; load average "
        f"{info['loadavg_at_start']} at start, {info['loadavg_at_end']} at end"
    )
    print("ratio = value / baseline (same run). Lower is better except throughput.\n")
    print(table(results))
    if any(r.notes for r in results):
        print("\nNotes:")
        print(notes(results))
    if compared is not None:
        print(f"\nBefore ({args.before}) -> after (this run), value now / value then:")
        print(before_after_table(compared))
    print(f"\nCapacity and cost, 1,000 product pages/s (bench/README.md):\n{model_text(cost)}")
    print("\nGoals of issues 15 and 31 (measured in this run):")
    print(goals_table(results))
    print(f"\nWrote {_relative(args.out)} in {duration:.0f}s total.")
    return 1 if any(r.error for r in results) else 0


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    raise SystemExit(main())
