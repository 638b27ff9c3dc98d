"""What every benchmark shares: the result type, the time budget, statistics, logging.

A benchmark is one module in `bench/` exporting `BENCHMARK = Benchmark(...)`; its `run`
gets the shared `BenchEnv` (bench/harness/env.py) and returns a `BenchResult`: a list of
`Figure`s, each a measured value beside the baseline measured in the same run.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bench.harness.env import BenchEnv

Better = Literal["lower", "higher"]

_STARTED = time.monotonic()


def say(message: str) -> None:
    """Progress, on stderr, with the time since the run started."""
    print(f"[{time.monotonic() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Figure:
    """One measured value, beside its baseline from the same run.

    `ratio` is value / baseline: for latencies and costs below 1 is better than the
    baseline, for throughput above 1 is. `target`, when set, is a bound on `value`
    (an upper bound when `better` is "lower").
    """

    metric: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    better: Better = "lower"
    target: float | None = None
    samples: int | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0 or math.isnan(self.baseline):
            return None
        return self.value / self.baseline

    @property
    def target_met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": _round(self.value),
            "unit": self.unit,
            "baseline": None if self.baseline is None else _round(self.baseline),
            "baseline_label": self.baseline_label,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "better": self.better,
            "target": self.target,
            "target_met": self.target_met,
            "samples": self.samples,
            "note": self.note,
        }


@dataclass
class BenchResult:
    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    #: Raw numbers behind the figures (per round, per variant), for the JSON only.
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "seconds": round(self.seconds, 2),
            "error": self.error,
            "figures": [f.to_json() for f in self.figures],
            "notes": self.notes,
            "details": self.details,
        }


@dataclass(frozen=True)
class Benchmark:
    name: str
    title: str
    run: Callable[[BenchEnv], BenchResult]


@dataclass(frozen=True)
class Budget:
    """How much to measure. `full` aims at 3-5 minutes on 2 cores, `quick` at ~1 minute."""

    quick: bool
    #: Rounds of each load phase; variants are interleaved within a round so that
    #: background noise hits them alike. Figures are medians over rounds.
    rounds: int
    #: Requests per round at concurrency 1 (the latency figures pool all rounds).
    latency_requests: int
    #: Time cap of a latency phase of the gateway and the hand-written baseline.
    latency_seconds: float
    #: Time cap of throughput phases and of the (slow) loaders-off latency phases.
    short_seconds: float
    #: Requests per round at `throughput_concurrency`.
    throughput_requests: int
    throughput_concurrency: int
    warmup_requests: int
    cold_start_reps: int
    scale_reps: int
    #: Field cost: timed repeats, each running the query for about this long.
    field_cost_repeats: int
    field_cost_seconds: float
    noisy_requests: int
    noisy_seconds: float
    flood_concurrency: int

    @classmethod
    def full(cls) -> Budget:
        return cls(
            quick=False,
            rounds=2,
            latency_requests=250,
            latency_seconds=12.0,
            short_seconds=4.0,
            throughput_requests=300,
            throughput_concurrency=16,
            warmup_requests=20,
            cold_start_reps=5,
            scale_reps=3,
            field_cost_repeats=15,
            field_cost_seconds=0.2,
            noisy_requests=500,
            noisy_seconds=12.0,
            flood_concurrency=64,
        )

    @classmethod
    def quick_run(cls) -> Budget:
        return cls(
            quick=True,
            rounds=1,
            latency_requests=60,
            latency_seconds=2.5,
            short_seconds=1.5,
            throughput_requests=100,
            throughput_concurrency=16,
            warmup_requests=5,
            cold_start_reps=1,
            scale_reps=1,
            field_cost_repeats=5,
            field_cost_seconds=0.1,
            noisy_requests=100,
            noisy_seconds=4.0,
            flood_concurrency=64,
        )


# -- statistics -------------------------------------------------------------------------


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
        "p50": _round(percentile(values, 50)),
        "p90": _round(percentile(values, 90)),
        "p99": _round(percentile(values, 99)),
        "max": _round(max(values)) if values else math.nan,
        "mean": _round(statistics.fmean(values)) if values else math.nan,
    }


def _round(value: float) -> float:
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
