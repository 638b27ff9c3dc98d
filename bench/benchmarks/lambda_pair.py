"""Bench: the Lambda-shaped pair. The gateway's Lambda handler vs a hand-written one.

In a fresh process (bench/children/lambda_pair.py), as a warm Lambda execution
environment runs them: `graph.lambdas.gateway.gateway_handler` (the name is kept in
bench/harness/lambda_event.py) and bench/baselines/lambda_handler.py, each invoked
in-process on the same API Gateway HTTP API v2 event for the README's product page
(N=20 and N=100), one at a time, against the benchmark's DynamoDB Local. Both are
checked to answer the same data first. Figures: p50 wall time per invocation and CPU
time per invocation (the process's own), medians over interleaved rounds; and what the
gateway spends on an invocation its tenant's bucket refuses (429 at the door, before
any parsing), against a page.
"""

from __future__ import annotations

from typing import Any

from bench.harness import goals
from bench.harness.dataset import TENANT_A
from bench.harness.env import BenchEnv
from bench.harness.procinfo import run_child
from bench.harness.progress import say
from bench.harness.results import Benchmark, BenchResult, Figure
from bench.harness.stats import median

SIZES = (20, 100)
#: Issue 15: the Lambda-shaped pair <= 1.3x on p50 and CPU.
GOAL = 1.3


def run(env: BenchEnv) -> BenchResult:
    budget = env.budget
    result = BenchResult(NAME, TITLE)
    env.ensure_data()
    child_env = env.gateway_env(GRAPH_TENANT_ID=TENANT_A, **env.handwritten_env())
    rounds = max(budget.rounds, 2)
    found: dict[str, Any] = run_child(
        "bench.children.lambda_pair",
        [str(budget.lambda_requests), str(rounds), str(budget.warmup_requests)],
        cwd=env.root,
        env=child_env,
        what="the Lambda pair",
        timeout=900,
    )
    result.details = found
    for first in SIZES:
        row = found[f"N={first}"]
        gw, hand = row["gateway"], row["hand-written"]
        for key, label in (("p50", "p50 per invocation"), ("cpu_ms", "CPU per invocation")):
            value = median([r[key] for r in gw])
            base = median([r[key] for r in hand])
            result.figures.append(
                Figure(
                    f"N={first} {label}",
                    value,
                    "ms",
                    base,
                    "hand-written handler",
                    samples=rounds * budget.lambda_requests,
                    goal=goals.lambda_pair(first, key),
                    ratio_goal=GOAL,
                )
            )
        say(
            f"  N={first}: gateway p50 {median([r['p50'] for r in gw]):.2f} ms, "
            f"hand-written {median([r['p50'] for r in hand]):.2f} ms"
        )
    refused = found["refused"]
    page_cpu = median([r["cpu_ms"] for r in found["N=20"]["gateway"]])
    result.figures.append(
        Figure(
            "refused invocation (429 at the door), CPU",
            refused["cpu_ms"],
            "ms",
            page_cpu,
            "gateway N=20 page",
            samples=budget.lambda_requests,
        )
    )
    say(f"  refused at the door: {refused['cpu_ms'] * 1000:.0f} µs of CPU per invocation")
    result.notes.append(
        f"in-process invocations, one at a time, {budget.lambda_requests} per variant and "
        f"size in each of {rounds} interleaved rounds; CPU = time.process_time of the "
        "process (both handlers' threads) / invocations; the gateway is narrowed to one "
        "tenant (GRAPH_TENANT_ID) as the Terraform module deploys it"
    )
    return result


NAME = "lambda_pair"
TITLE = "Lambda-shaped: gateway_handler vs a hand-written handler, API Gateway v2 event"
BENCHMARK = Benchmark(NAME, TITLE, run)
