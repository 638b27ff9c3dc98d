"""The load generator: its own process, asyncio + httpx, a fixed concurrency, loopback only.

    python -m bench.loadgen plan.json > results.json

A plan is a list of phases run one after the other; each phase is bounded in request
count AND in time, and stops early when the plan's stop file appears. Besides the
latencies it reports the CPU used, during the phase, by itself and by the processes it
is told to watch (gateway, DynamoDB Local), so a reader can see which one was the
bottleneck. 100% = one core fully busy.

The parent side (`run_plan`, `start_plan`, `finish_plan`) is at the bottom.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.common import percentile

Send = Callable[[], Awaitable[str | None]]  # None when the request succeeded
_CLK_TCK = os.sysconf("SC_CLK_TCK")
_LOOPBACK = ("http://127.", "http://localhost:", "http://[::1]:")


@dataclass
class Phase:
    label: str
    #: "http": POST `body` to `url`; "handwritten": bench.handwritten.product_page.
    kind: str
    concurrency: int
    count: int
    max_seconds: float
    warmup: int = 0
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    dynamodb_endpoint: str = ""
    listings_table: str = ""
    sellers_table: str = ""
    product_id: str = ""
    first: int = 0


@dataclass
class Plan:
    phases: list[Phase]
    #: Processes whose CPU use is reported per phase: name -> pid.
    watch: dict[str, int] = field(default_factory=dict)
    stop_file: str | None = None
    #: Created when the first phase's warm-up is done (for a background flood).
    ready_file: str | None = None
    quiet: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Plan:
        raw = json.loads(text)
        return cls(
            phases=[Phase(**p) for p in raw["phases"]],
            watch=raw.get("watch", {}),
            stop_file=raw.get("stop_file"),
            ready_file=raw.get("ready_file"),
            quiet=raw.get("quiet", False),
        )


@dataclass
class PhaseResult:
    label: str
    latencies_ms: list[float]
    ok: int
    failed: int
    failures: dict[str, int]
    wall_seconds: float
    #: Successful requests per second over the phase.
    throughput: float
    #: CPU use during the phase, percent of one core, by process name ("loadgen", ...).
    cpu_pct: dict[str, float]
    #: The whole machine's busy share during the phase (100% = every core busy).
    machine_busy_pct: float
    ended_by: str

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PhaseResult:
        return cls(**raw)


# -- CPU accounting -----------------------------------------------------------------------


def _proc_cpu_seconds(pid: int) -> float | None:
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
class _CpuSnapshot:
    at: float
    own: float
    watched: dict[str, float | None]
    machine: tuple[int, int]

    @classmethod
    def take(cls, watch: dict[str, int]) -> _CpuSnapshot:
        return cls(
            at=time.perf_counter(),
            own=_self_cpu_seconds(),
            watched={name: _proc_cpu_seconds(pid) for name, pid in watch.items()},
            machine=_machine_ticks(),
        )

    def since(self, start: _CpuSnapshot) -> tuple[dict[str, float], float]:
        wall = max(self.at - start.at, 1e-9)
        pct = {"loadgen": 100.0 * (self.own - start.own) / wall}
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


# -- the driver -----------------------------------------------------------------------------


async def _drive(
    send: Send,
    concurrency: int,
    count: int,
    deadline: float,
    stopped: Callable[[], bool],
    latencies: list[float] | None,
    failures: Counter[str],
) -> str:
    issued = 0
    ended = "count"

    async def worker() -> None:
        nonlocal issued, ended
        while issued < count:
            if time.monotonic() >= deadline:
                ended = "time"
                return
            if stopped():
                ended = "stop-file"
                return
            issued += 1
            started = time.perf_counter()
            failure = await send()
            elapsed = (time.perf_counter() - started) * 1000.0
            if failure is None:
                if latencies is not None:
                    latencies.append(elapsed)
            else:
                failures[failure] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ended


async def _http_sender(phase: Phase) -> tuple[Send, Callable[[], Awaitable[None]]]:
    import httpx

    if not phase.url.startswith(_LOOPBACK):
        raise SystemExit(f"refusing a non-loopback target: {phase.url}")
    client = httpx.AsyncClient(
        limits=httpx.Limits(
            max_connections=phase.concurrency, max_keepalive_connections=phase.concurrency
        ),
        timeout=httpx.Timeout(30.0),
    )
    headers = {"content-type": "application/json", **phase.headers}
    body = phase.body.encode()

    async def send() -> str | None:
        try:
            response = await client.post(phase.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return type(exc).__name__
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        if b'"errors"' in response.content:
            return "GraphQL errors"
        return None

    return send, client.aclose


async def _handwritten_sender(phase: Phase) -> tuple[Send, Callable[[], Awaitable[None]]]:
    from bench.handwritten import product_page
    from graph.settings import Settings
    from graph.store import open_dynamodb

    if not phase.dynamodb_endpoint.startswith(_LOOPBACK):
        raise SystemExit(f"refusing a non-loopback target: {phase.dynamodb_endpoint}")
    settings = Settings(stage="test", dynamodb_endpoint=phase.dynamodb_endpoint)
    opened = open_dynamodb(settings)
    client = await opened.__aenter__()

    async def send() -> str | None:
        try:
            await product_page(
                client, phase.listings_table, phase.sellers_table, phase.product_id, phase.first
            )
        except Exception as exc:
            return type(exc).__name__
        return None

    async def close() -> None:
        await opened.__aexit__(None, None, None)

    return send, close


async def run_phases(plan: Plan) -> list[PhaseResult]:
    results: list[PhaseResult] = []

    def stopped() -> bool:
        return plan.stop_file is not None and os.path.exists(plan.stop_file)

    for index, phase in enumerate(plan.phases):
        maker = _http_sender if phase.kind == "http" else _handwritten_sender
        send, close = await maker(phase)
        try:
            deadline = time.monotonic() + phase.max_seconds / 3
            await _drive(send, phase.concurrency, phase.warmup, deadline, stopped, None, Counter())
            if index == 0 and plan.ready_file:
                Path(plan.ready_file).touch()  # noqa: ASYNC240 - once, before timing
            latencies: list[float] = []
            failures: Counter[str] = Counter()
            before = _CpuSnapshot.take(plan.watch)
            deadline = time.monotonic() + phase.max_seconds
            ended = await _drive(
                send, phase.concurrency, phase.count, deadline, stopped, latencies, failures
            )
            after = _CpuSnapshot.take(plan.watch)
        finally:
            await close()
        cpu, busy = after.since(before)
        wall = after.at - before.at
        result = PhaseResult(
            label=phase.label,
            latencies_ms=[round(v, 3) for v in latencies],
            ok=len(latencies),
            failed=sum(failures.values()),
            failures=dict(failures),
            wall_seconds=round(wall, 3),
            throughput=round(len(latencies) / wall, 2) if wall > 0 else 0.0,
            cpu_pct=cpu,
            machine_busy_pct=busy,
            ended_by=ended,
        )
        results.append(result)
        if not plan.quiet:
            cpu_text = " ".join(f"{k} {v:.0f}%" for k, v in cpu.items())
            print(
                f"           loadgen: {phase.label:<34} n={result.ok:<5} "
                f"p50 {result.p50:7.2f} ms  p99 {result.p99:7.2f} ms  "
                f"{result.throughput:7.1f} req/s  fail={result.failed}  cpu: {cpu_text}",
                file=sys.stderr,
                flush=True,
            )
    return results


def main() -> int:
    plan = Plan.from_json(Path(sys.argv[1]).read_text())
    try:
        import uvloop

        results = uvloop.run(run_phases(plan))
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        results = asyncio.run(run_phases(plan))
    json.dump([asdict(r) for r in results], sys.stdout)
    sys.stdout.flush()
    return 0


# -- parent side ----------------------------------------------------------------------------


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
        [sys.executable, "-m", "bench.loadgen", name],
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


if __name__ == "__main__":
    raise SystemExit(main())
