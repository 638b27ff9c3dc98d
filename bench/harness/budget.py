"""How much each benchmark measures in a full and in a quick (`--quick`) run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """How much to measure. `full` aims at 3-5 minutes on 2 cores, `quick` at ~1 minute."""

    quick: bool
    #: Rounds of each load phase; variants are interleaved within a round so that
    #: background noise hits them alike. Figures are medians over rounds.
    rounds: int
    #: Requests per round at concurrency 1 (the latency figures pool all rounds). A
    #: round's p99 is its 5th-worst of 500: with 200 it was the 2nd-worst, and the
    #: same code's p99 ratio swung from x0.96 to x1.51 between runs.
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
    #: Concurrent clients of the noisy neighbour's flood (issue 15: 50).
    flood_concurrency: int
    #: In-process Lambda invocations per variant, size and round.
    lambda_requests: int

    @classmethod
    def full(cls) -> Budget:
        return cls(
            quick=False,
            rounds=3,
            latency_requests=500,
            latency_seconds=12.0,
            short_seconds=4.0,
            throughput_requests=300,
            throughput_concurrency=8,
            warmup_requests=20,
            cold_start_reps=7,
            scale_reps=3,
            field_cost_repeats=15,
            field_cost_seconds=0.2,
            noisy_requests=500,
            noisy_seconds=12.0,
            flood_concurrency=50,
            lambda_requests=200,
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
            throughput_concurrency=8,
            warmup_requests=5,
            cold_start_reps=2,
            scale_reps=1,
            field_cost_repeats=5,
            field_cost_seconds=0.1,
            noisy_requests=100,
            noisy_seconds=4.0,
            flood_concurrency=50,
            lambda_requests=40,
        )
