"""`make bench`: run every benchmark, print the table, write bench/results/latest.json.

    .venv/bin/python -m bench [--quick] [--only NAME,NAME] [--out PATH]

Figures are always printed beside a baseline measured in the same run, with the
ratio; absolute numbers vary by machine, the ratios are the headline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.benchmarks import (
    audit_throughput,
    calls,
    cold_start,
    extension_scale,
    field_cost,
    noisy_neighbour,
    product_page,
    tenant_scale,
)
from bench.harness.env import ROOT, BenchEnv
from bench.harness.results import Benchmark, BenchResult, Budget, fmt_value, say

#: In run order. A new benchmark is a module exporting BENCHMARK, added here.
BENCHMARKS: tuple[Benchmark, ...] = (
    calls.BENCHMARK,
    field_cost.BENCHMARK,
    product_page.BENCHMARK,
    noisy_neighbour.BENCHMARK,
    cold_start.BENCHMARK,
    tenant_scale.BENCHMARK,
    extension_scale.BENCHMARK,
    audit_throughput.BENCHMARK,
)
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024} MiB"
    except OSError:
        pass
    versions = {}
    for package in ("strawberry-graphql", "graphql-core", "starlette", "uvicorn", "aioboto3"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(v, 2) for v in os.getloadavg()],
        "packages": versions,
        "git": _git(),
    }


def _git() -> dict[str, Any]:
    def run(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {"commit": run("rev-parse", "--short", "HEAD"), "dirty": bool(run("status", "-s"))}


# -- the table ---------------------------------------------------------------------------


def table(results: Sequence[BenchResult]) -> str:
    rows: list[tuple[str, ...]] = []
    header = ("metric", "value", "baseline", "", "ratio", "target")
    for result in results:
        rows.append((f"== {result.name}: {result.title}",))
        if result.error:
            rows.append(("  FAILED: " + result.error.splitlines()[-1],))
            continue
        for f in result.figures:
            ratio = "" if f.ratio is None else f"x{f.ratio:.2f}"
            target = ""
            if f.target is not None:
                sign = "<=" if f.better == "lower" else ">="
                mark = "met" if f.target_met else "MISSED"
                target = f"{sign} {fmt_value(f.target, f.unit)} {mark}"
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


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    names = [b.name for b in BENCHMARKS]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a ~1 minute smoke run")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {names}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the JSON to write")
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
    info = machine()
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
    report = {
        "format": 1,
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 1),
        "mode": "quick" if budget.quick else "full",
        "machine": info,
        "budget": budget.__dict__,
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
    print(f"\nWrote {_relative(args.out)} in {duration:.0f}s total.")
    return 1 if any(r.error for r in results) else 0


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


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    raise SystemExit(main())
