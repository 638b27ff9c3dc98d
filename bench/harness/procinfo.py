"""Readings from /proc and process plumbing: CPU use, memory, children, the machine.

Stdlib only, so a child that times its own imports can use it first.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

_CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def _self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all cores, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0, 0
    values = [int(v) for v in first[:8]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class CpuSnapshot:
    """CPU used so far by this process, the watched pids and the whole machine."""

    at: float
    own: float
    watched: dict[str, float | None]
    machine: tuple[int, int]

    @classmethod
    def take(cls, watch: dict[str, int]) -> CpuSnapshot:
        return cls(
            at=time.perf_counter(),
            own=_self_cpu_seconds(),
            watched={name: proc_cpu_seconds(pid) for name, pid in watch.items()},
            machine=_machine_ticks(),
        )

    def since(self, start: CpuSnapshot, own: str = "loadgen") -> tuple[dict[str, float], float]:
        """(CPU % of one core by process, the machine's busy %) since `start`; this
        process is reported as `own`, the rest of the machine as `other`."""
        wall = max(self.at - start.at, 1e-9)
        pct = {own: 100.0 * (self.own - start.own) / wall}
        for name, now in self.watched.items():
            before = start.watched.get(name)
            if now is not None and before is not None:
                pct[name] = 100.0 * (now - before) / wall
        busy = self.machine[0] - start.machine[0]
        total = self.machine[1] - start.machine[1]
        machine_pct = 100.0 * busy / total if total else 0.0
        # What the whole machine did beyond the processes we know: other people's
        # tests, the kernel. Noise, in percent of one core.
        pct["other"] = max(0.0, machine_pct * (os.cpu_count() or 1) - sum(pct.values()))
        return {k: round(v, 1) for k, v in pct.items()}, round(machine_pct, 1)


# -- memory -------------------------------------------------------------------------------


def memory_mib() -> dict[str, float]:
    """This process's VmRSS and VmHWM (peak), MiB, from /proc/self/status."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":", 1)
            found[name] = int(value.split()[0]) / 1024
    return found


# -- children -----------------------------------------------------------------------------


def die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: stop the child if the benchmark dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_child(
    module: str,
    args: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    what: str,
    timeout: float = 300,
) -> dict[str, Any]:
    """`python -m MODULE ARGS` in a fresh interpreter; the JSON object it printed last.
    `what` names the measurement in the error when the child fails."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{what} failed (python -m {module}): {done.stderr[-2000:]}")
    sample: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return sample


def print_sample(sample: dict[str, Any]) -> NoReturn:
    """A child's answer: one JSON line on stdout, then exit at once (the time to tear
    down the interpreter is not part of any measurement)."""
    print(json.dumps(sample), flush=True)
    os._exit(0)


# -- the machine --------------------------------------------------------------------------


def machine(root: Path) -> dict[str, Any]:
    """What the figures were measured on: cores, CPU, memory, Python, packages, git."""
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
        "git": _git(root),
    }


def _git(root: Path) -> dict[str, Any]:
    def run(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {"commit": run("rev-parse", "--short", "HEAD"), "dirty": bool(run("status", "-s"))}
