"""What every benchmark returns: `Figure`s in a `BenchResult`; and `say` for progress.

A benchmark is one module in `bench/` exporting `BENCHMARK = Benchmark(...)`; its `run`
gets the shared `BenchEnv` (bench/harness/env.py) and returns a `BenchResult`: a list of
`Figure`s, each a measured value beside the baseline measured in the same run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from bench.harness.stats import round_figure

if TYPE_CHECKING:
    from bench.harness.env import BenchEnv

Better = Literal["lower", "higher"]


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
    #: Set when this figure is one of an issue's goals (e.g. "issue 15: product page
    #: N=20 p50"); the goal is `ratio_goal` on the ratio, else `target` on the value.
    goal: str = ""
    ratio_goal: float | None = None

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

    @property
    def goal_threshold(self) -> str:
        """The goal as text: `<= x1.30` on the ratio, or `<= 1 waves` on the value."""
        sign = "<=" if self.better == "lower" else ">="
        if self.ratio_goal is not None:
            return f"{sign} x{self.ratio_goal:.2f}"
        if self.target is not None:
            return f"{sign} {self.target:g} {self.unit}".rstrip()
        return ""

    @property
    def goal_met(self) -> bool | None:
        if self.ratio_goal is not None:
            ratio = self.ratio
            if ratio is None:
                return None
            return ratio <= self.ratio_goal if self.better == "lower" else ratio >= self.ratio_goal
        return self.target_met

    def goal_json(self) -> dict[str, Any]:
        """The goal's line in latest.json: goal, figure, threshold, met."""
        return {
            "goal": self.goal,
            "figure": self.metric,
            "value": round_figure(self.value),
            "unit": self.unit,
            "baseline": None if self.baseline is None else round_figure(self.baseline),
            "baseline_label": self.baseline_label,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "threshold": self.goal_threshold,
            "threshold_on": "ratio" if self.ratio_goal is not None else "value",
            "met": self.goal_met,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": round_figure(self.value),
            "unit": self.unit,
            "baseline": None if self.baseline is None else round_figure(self.baseline),
            "baseline_label": self.baseline_label,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "better": self.better,
            "target": self.target,
            "target_met": self.target_met,
            "samples": self.samples,
            "note": self.note,
            "goal": self.goal or None,
            "goal_met": self.goal_met if self.goal else None,
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
