"""Statistics and timing helpers every benchmark uses (one copy of each)."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
Execute = Callable[[], Awaitable[Any]]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def summarize(values: Sequence[float]) -> dict[str, float | int]:
    return {
        "n": len(values),
        "p50": round_figure(percentile(values, 50)),
        "p90": round_figure(percentile(values, 90)),
        "p99": round_figure(percentile(values, 99)),
        "max": round_figure(max(values)) if values else math.nan,
        "mean": round_figure(statistics.fmean(values)) if values else math.nan,
    }


def round_figure(value: float) -> float:
    """A figure rounded for the JSON: 4 digits below 1, 3 below 100, else 1."""
    if math.isnan(value) or math.isinf(value):
        return value
    magnitude = abs(value)
    digits = 4 if magnitude < 1 else 3 if magnitude < 100 else 1
    return round(value, digits)


def fmt_value(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 1000 or float(value).is_integer():
        text = f"{value:,.0f}"
    elif magnitude >= 100:
        text = f"{value:.1f}"
    elif magnitude >= 10:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}".strip()


def count_fields(value: Any) -> int:
    """Resolved fields in a GraphQL result: every key of every object."""
    if isinstance(value, dict):
        return len(value) + sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 0


async def time_execution(execute: Execute, seconds: float) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per execution, over about `seconds` of back-to-back
    executions (at least 5). CPU time is this process's own (time.process_time): it does
    not count time spent descheduled while other processes run, so it is the headline."""
    runs = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    while True:
        await execute()
        runs += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and runs >= 5:
            return (time.process_time() - cpu_started) / runs, elapsed / runs


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on uvloop (as uvicorn serves the gateway), asyncio when it is missing."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(main)
    return uvloop.run(main)
