"""Bench 1: the product page through the deployed gateway, vs hand-written and loaders off.

    productListings(productId, first: N) { edges { node { id title price { amount currency }
      images { url } seller { displayName } } } }          N = 20 and 100

Variants, each driven by a separate load-generator process over loopback:
  gateway      uvicorn graph.app:create_app --factory (separate process)
  hand-written bench/handwritten.py: 1 Query + 1 BatchGetItem and the same JSON, run by
               the load generator itself (no HTTP, no GraphQL: the floor)
  loaders off  uvicorn bench.servers:create_naive_app --factory: batching=False,
               one GetItem per listing's seller (separate process)

Latency: concurrency 1, p50 = median of the rounds' p50s, p99 over all rounds' requests.
Throughput: concurrency `throughput_concurrency`, median of the rounds.
Variants are interleaved within each round so background noise hits them alike.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from bench.common import Benchmark, BenchResult, Figure, median, percentile, say, summarize
from bench.dataset import PRODUCT_ID, PRODUCT_PAGE, TENANT_A, product_page_variables, read_key
from bench.env import BenchEnv
from bench.loadgen import Phase, PhaseResult, Plan, run_plan

SIZES = (20, 100)
VARIANTS = ("gateway", "hand-written", "loaders off")


def _phase(env: BenchEnv, variant: str, first: int, mode: str, urls: dict[str, str]) -> Phase:
    budget = env.budget
    latency = mode == "latency"
    slow = not latency or variant == "loaders off"
    common: dict[str, Any] = {
        "label": f"{variant} N={first} {mode}",
        "concurrency": 1 if latency else budget.throughput_concurrency,
        "count": budget.latency_requests if latency else budget.throughput_requests,
        "max_seconds": budget.short_seconds if slow else budget.latency_seconds,
        "warmup": budget.warmup_requests,
    }
    if variant == "hand-written":
        tables = env.tables(TENANT_A)
        return Phase(
            kind="handwritten",
            dynamodb_endpoint=env.dynamodb_endpoint,
            listings_table=tables.listings,
            sellers_table=tables.sellers,
            product_id=PRODUCT_ID,
            first=first,
            **common,
        )
    body = json.dumps({"query": PRODUCT_PAGE, "variables": product_page_variables(first)})
    return Phase(
        kind="http",
        url=urls[variant],
        headers={"x-api-key": read_key(TENANT_A)},
        body=body,
        **common,
    )


def _check_same_json(env: BenchEnv, urls: dict[str, str]) -> list[str]:
    """The baselines must build the very same data as the gateway, or the ratios mean
    nothing: compare one page of each size across the three variants."""
    from bench.handwritten import product_page
    from graph.settings import Settings
    from graph.store import open_dynamodb

    async def handwritten(first: int) -> Any:
        settings = Settings(stage="test", dynamodb_endpoint=env.dynamodb_endpoint)
        tables = env.tables(TENANT_A)
        async with open_dynamodb(settings) as client:
            raw = await product_page(client, tables.listings, tables.sellers, PRODUCT_ID, first)
        return json.loads(raw)

    problems = []
    with httpx.Client(timeout=30) as http:
        for first in SIZES:
            expected = asyncio.run(handwritten(first))
            if len(expected["data"]["productListings"]["edges"]) != first:
                problems.append(f"hand-written N={first}: not a full page")
            for variant in ("gateway", "loaders off"):
                response = http.post(
                    urls[variant],
                    json={"query": PRODUCT_PAGE, "variables": product_page_variables(first)},
                    headers={"x-api-key": read_key(TENANT_A)},
                )
                answer = response.json()
                # Compare the data: the gateway may add `extensions` (cost, ...).
                if "errors" in answer or answer.get("data") != expected["data"]:
                    problems.append(f"{variant} N={first}: answer differs from hand-written")
    return problems


def run(env: BenchEnv) -> BenchResult:
    budget = env.budget
    result = BenchResult(NAME, TITLE)
    gateway = env.gateway()
    naive = env.naive_gateway()
    urls = {"gateway": gateway.url, "loaders off": naive.url}
    problems = _check_same_json(env, urls)
    if problems:
        raise RuntimeError("baselines do not match the gateway: " + "; ".join(problems))
    say("  checked: all three variants build the same JSON for N=20 and N=100")
    watch = {"gateway": gateway.pid, "loaders-off": naive.pid, "dynamodb": env.dynamodb_pid}

    by_label: dict[str, list[PhaseResult]] = {}
    for round_no in range(budget.rounds):
        order = VARIANTS[round_no % 3 :] + VARIANTS[: round_no % 3]
        phases = [
            _phase(env, variant, first, mode, urls)
            for first in SIZES
            for mode in ("latency", "throughput")
            for variant in order
        ]
        say(f"  round {round_no + 1}/{budget.rounds}: {len(phases)} load phases")
        for phase_result in run_plan(Plan(phases=phases, watch=watch), env.root):
            by_label.setdefault(phase_result.label, []).append(phase_result)
    env.stop_gateway(naive.name)

    doers = {"gateway": "gateway", "hand-written": "loadgen", "loaders off": "loaders-off"}

    def stats(variant: str, first: int) -> dict[str, Any]:
        lat = by_label[f"{variant} N={first} latency"]
        thr = by_label[f"{variant} N={first} throughput"]
        pooled = [v for r in lat for v in r.latencies_ms]
        pooled_load = [v for r in thr for v in r.latencies_ms]
        cpu_seconds = sum(r.cpu_pct.get(doers[variant], 0.0) * r.wall_seconds / 100 for r in lat)
        dynamodb_seconds = sum(r.cpu_pct.get("dynamodb", 0.0) * r.wall_seconds / 100 for r in lat)
        answered = max(1, sum(r.ok for r in lat))
        return {
            "cpu_ms_per_request": 1000 * cpu_seconds / answered,
            "dynamodb_cpu_ms_per_request": 1000 * dynamodb_seconds / answered,
            "p50": median([r.p50 for r in lat]),
            "p99": percentile(pooled, 99),
            "n": len(pooled),
            "throughput": median([r.throughput for r in thr]),
            "latency": summarize(pooled),
            "p50_rounds": [round(r.p50, 3) for r in lat],
            "throughput_rounds": [r.throughput for r in thr],
            "under_load": summarize(pooled_load),
            "failed": sum(r.failed for r in lat + thr),
            "failures": [r.failures for r in lat + thr if r.failures],
            "ended_by": sorted({r.ended_by for r in lat + thr}),
            "cpu_pct_latency": lat[-1].cpu_pct,
            "cpu_pct_throughput": thr[-1].cpu_pct,
            "machine_busy_pct_throughput": thr[-1].machine_busy_pct,
        }

    conc = budget.throughput_concurrency
    for first in SIZES:
        gw, hand, off = (stats(v, first) for v in VARIANTS)
        result.details[f"N={first}"] = {"gateway": gw, "hand-written": hand, "loaders off": off}
        for key, label, unit, better in (
            ("p50", "p50 latency, c=1", "ms", "lower"),
            ("p99", "p99 latency, c=1", "ms", "lower"),
            ("throughput", f"throughput, c={conc}", "req/s", "higher"),
            ("cpu_ms_per_request", "CPU per request, c=1", "ms", "lower"),
        ):
            for base_name, base in (("hand-written", hand), ("loaders off", off)):
                result.figures.append(
                    Figure(
                        metric=f"N={first} {label}",
                        value=gw[key],
                        unit=unit,
                        baseline=base[key],
                        baseline_label=base_name,
                        better=better,  # type: ignore[arg-type]
                        samples=gw["n"] if key in ("p50", "p99") else None,
                    )
                )
        for name, s in (("gateway", gw), ("hand-written", hand), ("loaders off", off)):
            if s["failed"]:
                result.notes.append(f"{name} N={first}: {s['failed']} failed requests")
            if s["n"] < 500 and not budget.quick:
                result.notes.append(
                    f"{name} N={first}: p99 from {s['n']} requests (phase time cap reached)"
                )
            loadgen_cpu = s["cpu_pct_throughput"].get("loadgen", 0.0)
            if loadgen_cpu > 80 and name != "hand-written":  # there it *is* the work
                result.notes.append(
                    f"{name} N={first}: the load generator used {loadgen_cpu:.0f}% of a core "
                    "under load: it may be a bottleneck"
                )
    others = [r.cpu_pct.get("other", 0.0) for runs in by_label.values() for r in runs if r.cpu_pct]
    if others and median(others) > 20:
        result.notes.append(
            f"other processes on the machine used a median {median(others):.0f}% of a core "
            f"(max {max(others):.0f}%) during the load phases: noise in every variant"
        )
    result.notes.append(
        "CPU per request: CPU time of the process doing the work (gateway process; for "
        "hand-written, its load-generator process) / answers, over the c=1 phases; "
        "less sensitive to other load on the machine than latency."
    )
    result.notes.append(
        "hand-written runs inside the load-generator process (no HTTP, no GraphQL); the "
        "gateway variants are separate uvicorn processes reached over loopback HTTP."
    )
    result.notes.append(
        "loaders off is served by bench.servers:create_naive_app (batching=False): the app "
        "has no env switch to turn DataLoaders off."
    )
    return result


NAME = "product_page"
TITLE = "Product page: gateway (uvicorn) vs hand-written aioboto3 and vs DataLoaders off"
BENCHMARK = Benchmark(NAME, TITLE, run)
