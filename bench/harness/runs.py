"""The load generator's parent side: a plan run in a fresh process
(`python -m bench.harness.loadgen`), in the foreground (`run_plan`) or in the background
while something else is measured (`start_plan`, then `finish_plan`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.harness.loadgen import PhaseResult, Plan


@dataclass
class Running:
    """A load generator started in the background."""

    proc: subprocess.Popen[str]
    plan_path: Path


def start_plan(plan: Plan, cwd: Path) -> Running:
    """Start a plan in a fresh process (for a background flood); see `finish_plan`."""
    fd, name = tempfile.mkstemp(prefix="bench-plan-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        handle.write(plan.to_json())
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.harness.loadgen", name],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    return Running(proc, Path(name))


def finish_plan(running: Running, timeout: float) -> list[PhaseResult]:
    try:
        out, _ = running.proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        running.proc.kill()
        running.proc.communicate()
        raise RuntimeError("the load generator did not finish in time") from None
    finally:
        running.plan_path.unlink(missing_ok=True)
    if running.proc.returncode != 0:
        raise RuntimeError(f"the load generator failed (exit {running.proc.returncode})")
    return [PhaseResult.from_dict(r) for r in json.loads(out)]


def run_plan(plan: Plan, cwd: Path) -> list[PhaseResult]:
    """Run a plan in a fresh load-generator process and wait for its results."""
    limit = sum(p.max_seconds * 2 for p in plan.phases) + 60.0
    return finish_plan(start_plan(plan, cwd), timeout=limit)
