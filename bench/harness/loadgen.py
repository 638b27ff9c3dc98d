"""The load generator: its own process, asyncio + httpx (aiohttp for floods), a fixed
concurrency, loopback only.

    python -m bench.harness.loadgen plan.json > results.json

A plan is a list of phases run one after the other; each phase is bounded in request
count AND in time, and stops early when the plan's stop file appears. Besides the
latencies it reports the CPU used, during the phase, by itself and by the processes it
is told to watch (gateway, DynamoDB Local), so a reader can see which one was the
bottleneck. 100% = one core fully busy.

The parent side (`run_plan`, `start_plan`, `finish_plan`) is bench/harness/runs.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.harness.procinfo import CpuSnapshot
from bench.harness.stats import percentile

Send = Callable[[], Awaitable[str | None]]  # None when the request succeeded
#: The failure a rate-limited request gets (its client-side latency is kept apart).
REFUSED = "HTTP 429"
_LOOPBACK = ("http://127.", "http://localhost:", "http://[::1]:")


@dataclass
class Phase:
    label: str
    #: "http": POST `body` to `url` (the only kind).
    kind: str
    concurrency: int
    count: int
    max_seconds: float
    warmup: int = 0
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    #: "httpx" (every measurement since issue 15 was filed) or "aiohttp" (floods).
    client: str = "httpx"


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
    #: Client-side latencies of the requests refused with 429 (rate limits).
    refused_ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PhaseResult:
        return cls(**raw)


# -- the driver -----------------------------------------------------------------------------


async def _drive(
    send: Send,
    concurrency: int,
    count: int,
    deadline: float,
    stopped: Callable[[], bool],
    latencies: list[float] | None,
    failures: Counter[str],
    refused: list[float] | None = None,
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
                if failure == REFUSED and refused is not None:
                    refused.append(elapsed)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ended


async def _http_sender(phase: Phase) -> tuple[Send, Callable[[], Awaitable[None]]]:
    if phase.client == "aiohttp":
        return await _aiohttp_sender(phase)
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


async def _aiohttp_sender(phase: Phase) -> tuple[Send, Callable[[], Awaitable[None]]]:
    """The flood's client: at c=50 httpx's pool spent ~5 ms of CPU per request, most of
    a core on this 2-core machine, taken from the processes being measured; aiohttp
    spends a tenth of that, closer to a flood coming from other machines."""
    import aiohttp

    if not phase.url.startswith(_LOOPBACK):
        raise SystemExit(f"refusing a non-loopback target: {phase.url}")
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=phase.concurrency),
        timeout=aiohttp.ClientTimeout(total=30.0),
        skip_auto_headers=("User-Agent",),
    )
    headers = {"content-type": "application/json", **phase.headers}
    body = phase.body.encode()

    async def send() -> str | None:
        try:
            async with session.post(phase.url, data=body, headers=headers) as response:
                content = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            return type(exc).__name__
        if response.status != 200:
            return f"HTTP {response.status}"
        if b'"errors"' in content:
            return "GraphQL errors"
        return None

    return send, session.close


async def run_phases(plan: Plan) -> list[PhaseResult]:
    results: list[PhaseResult] = []

    def stopped() -> bool:
        return plan.stop_file is not None and os.path.exists(plan.stop_file)

    for index, phase in enumerate(plan.phases):
        send, close = await _http_sender(phase)
        try:
            deadline = time.monotonic() + phase.max_seconds / 3
            await _drive(send, phase.concurrency, phase.warmup, deadline, stopped, None, Counter())
            if index == 0 and plan.ready_file:
                Path(plan.ready_file).touch()  # noqa: ASYNC240 - once, before timing
            latencies: list[float] = []
            refused: list[float] = []
            failures: Counter[str] = Counter()
            before = CpuSnapshot.take(plan.watch)
            deadline = time.monotonic() + phase.max_seconds
            ended = await _drive(
                send,
                phase.concurrency,
                phase.count,
                deadline,
                stopped,
                latencies,
                failures,
                refused,
            )
            after = CpuSnapshot.take(plan.watch)
        finally:
            await close()
        cpu, busy = after.since(before)
        wall = after.at - before.at
        result = PhaseResult(
            label=phase.label,
            latencies_ms=[round(v, 3) for v in latencies],
            refused_ms=[round(v, 3) for v in refused],
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


if __name__ == "__main__":
    raise SystemExit(main())
