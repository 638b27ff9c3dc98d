"""Issue 31's capacity and cost model, computed from the figures of the same run.

For RATE product pages per second (N=20, the README's page) in one tenant account:

    c  = CPU per page, ms        the Lambda pair's gateway_handler at N=20 (one core here)
    w  = wait per page, ms       its p50 minus c: DynamoDB and the event loop, not CPU
    r  = read units per page     extensions.cost.actualReadCapacity of the cold start's page
    s(M) = min(1, M / 1769)      the vCPU share Lambda gives M MB (1,769 MB = one vCPU; one
                                 Python thread uses at most one)
    d(M) = c / s(M) + w          billed duration of one page at M MB, ms
    concurrency(M) = RATE * d(M) / 1000
    Lambda $/M pages = 10^6 * (M / 1024 * d(M) / 1000 * GB_SECOND + REQUEST)
    total $/M pages  = Lambda + API Gateway HTTP API + r * DynamoDB read unit price
    AppSync $/M      = its query price + the same DynamoDB reads

Since M / 1024 * c / s(M) is constant below 1,769 MB, cost grows with M (the wait is
billed at M): the cheapest size is the smallest that holds the process (peak RSS of the
cold start with headroom), at the price of latency (d) and concurrency. List prices,
us-east-1, x86_64, on-demand; no free tier.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from bench.harness.results import BenchResult
from bench.harness.stats import median

RATE = 1000.0  # product pages per second in one tenant account (the case study's figure)
VCPU_MB = 1769.0
GB_SECOND = 0.0000166667  # Lambda x86_64, $ per GB-second
REQUEST = 0.20 / 1e6  # Lambda, $ per request
API_GATEWAY_HTTP = 1.00  # $ per million requests (first 300 million a month)
DYNAMODB_READ_UNIT = 0.125  # $ per million on-demand read request units
APPSYNC_QUERY = 4.00  # $ per million query and data modification operations
MEMORY_STEPS = tuple(range(128, 3009, 64))
#: Memory for the process beyond its peak RSS (the runtime, buffers, GC headroom).
HEADROOM = 1.5


def _figure(results: Sequence[BenchResult], bench: str, metric: str) -> float | None:
    for result in results:
        if result.name == bench and not result.error:
            for figure in result.figures:
                if figure.metric == metric:
                    return figure.value
    return None


def _detail(results: Sequence[BenchResult], bench: str) -> dict[str, Any]:
    for result in results:
        if result.name == bench and not result.error:
            return result.details
    return {}


def inputs(results: Sequence[BenchResult]) -> dict[str, float] | None:
    """c, w, r and the peak RSS from this run, or None when a benchmark they come from
    did not run (the model needs lambda_pair and cold_start)."""
    pair = _detail(results, "lambda_pair")
    cold = _detail(results, "cold_start").get("medians", {}).get("lambda")
    rounds = pair.get("N=20", {}).get("gateway") if pair else None
    if not rounds or not cold or cold.get("read_capacity") is None:
        return None
    cpu = median([float(r["cpu_ms"]) for r in rounds])
    p50 = median([float(r["p50"]) for r in rounds])
    return {
        "cpu_ms": cpu,
        "wait_ms": max(0.0, p50 - cpu),
        "read_units": float(cold["read_capacity"]),
        "peak_rss_mib": float(cold["peak_rss_mib"]),
    }


def at_memory(memory: int, given: dict[str, float]) -> dict[str, float]:
    share = min(1.0, memory / VCPU_MB)
    duration = given["cpu_ms"] / share + given["wait_ms"]
    lambda_cost = 1e6 * (memory / 1024 * duration / 1000 * GB_SECOND + REQUEST)
    dynamodb = given["read_units"] * DYNAMODB_READ_UNIT
    return {
        "memory_mb": memory,
        "vcpu_share": round(share, 3),
        "duration_ms": round(duration, 2),
        "concurrency": math.ceil(RATE * duration / 1000),
        "lambda_per_million": round(lambda_cost, 3),
        "api_gateway_per_million": API_GATEWAY_HTTP,
        "dynamodb_per_million": round(dynamodb, 3),
        "total_per_million": round(lambda_cost + API_GATEWAY_HTTP + dynamodb, 3),
        "appsync_per_million": round(APPSYNC_QUERY + dynamodb, 3),
    }


def model(results: Sequence[BenchResult]) -> dict[str, Any] | None:
    given = inputs(results)
    if given is None:
        return None
    floor = given["peak_rss_mib"] * HEADROOM
    fitting = [m for m in MEMORY_STEPS if m >= floor]
    rows = {m: at_memory(m, given) for m in fitting}
    cheapest = min(rows.values(), key=lambda row: row["total_per_million"])
    return {
        "rate_per_second": RATE,
        "inputs": {k: round(v, 3) for k, v in given.items()},
        "memory_floor_mb": round(floor),
        "cheapest": cheapest,
        "one_vcpu": at_memory(1792, given),
        "table": [rows[m] for m in fitting if m in (fitting[0], 512, 1024, 1792, 3008)],
    }


def model_text(found: dict[str, Any] | None) -> str:
    if found is None:
        return "not computed: it needs lambda_pair and cold_start in the same run"
    given, best = found["inputs"], found["cheapest"]
    lines = [
        f"inputs: CPU {given['cpu_ms']} ms and wait {given['wait_ms']} ms per page (Lambda "
        f"pair N=20), {given['read_units']} read units per page, peak RSS "
        f"{given['peak_rss_mib']} MiB -> at least {found['memory_floor_mb']} MB",
        f"cheapest: {best['memory_mb']} MB, {best['duration_ms']} ms per page, concurrency "
        f"{best['concurrency']} at {found['rate_per_second']:.0f} pages/s; per million pages "
        f"${best['total_per_million']} (Lambda {best['lambda_per_million']}, API Gateway "
        f"{best['api_gateway_per_million']}, DynamoDB {best['dynamodb_per_million']}) vs "
        f"AppSync ${best['appsync_per_million']}",
    ]
    for row in found["table"]:
        lines.append(
            f"  {row['memory_mb']:>5} MB: {row['duration_ms']:>7} ms, concurrency "
            f"{row['concurrency']:>5}, ${row['total_per_million']} per million"
        )
    return "\n".join(lines)
