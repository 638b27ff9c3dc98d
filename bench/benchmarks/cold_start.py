"""Bench 4: cold start, from spawning a fresh interpreter to the first answer.

Each sample is a new process (bench/children/cold_start.py) that imports the app module, builds
the app and serves one product page (N=20) against DynamoDB Local through httpx's
ASGITransport. The first request includes opening the DynamoDB client (and, for the
gateway, building the tenant's schema), as it would on a cold Lambda.

  lambda   import graph.lambdas.gateway; first invocation of `gateway_handler` with an
           API Gateway HTTP API event (it builds settings, registry, app and Mangum then)
  asgi     import graph.app; create_app(); a first request over httpx's ASGITransport
  baseline `bare`: bench/baselines/bare_app.py (graphql-core + aioboto3, nothing else), import,
           build and a first request like `asgi`

The `lambda` target is measured only when graph.lambdas.gateway exists (see targets()).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from typing import Any

from bench.harness.dataset import TENANT_A, read_key
from bench.harness.env import BenchEnv
from bench.harness.progress import say
from bench.harness.results import Benchmark, BenchResult, Figure
from bench.harness.stats import median


def targets() -> list[str]:
    """The targets to time: the ASGI app and the bare baseline; the Lambda handler too
    when graph.lambdas.gateway exists."""
    found = ["asgi", "bare"]
    if importlib.util.find_spec("graph.lambdas.gateway") is not None:
        found.insert(0, "lambda")
    return found


def _one(env: BenchEnv, target: str) -> dict[str, Any]:
    tables = env.tables(TENANT_A)
    child_env = env.gateway_env(
        BENCH_API_KEY=read_key(TENANT_A),
        BENCH_DYNAMODB_ENDPOINT=env.dynamodb_endpoint,
        BENCH_LISTINGS_TABLE=tables.listings,
        BENCH_SELLERS_TABLE=tables.sellers,
    )
    spawned_at = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench.children.cold_start", target, repr(spawned_at)],
        cwd=env.root,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    wall = time.monotonic() - spawned_at
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"cold start of {target} failed: {done.stderr[-2000:]}")
    sample: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not sample["ok"]:
        raise RuntimeError(f"cold start of {target}: the first answer was wrong")
    sample["process_wall_s"] = wall
    return sample


def import_profile(env: BenchEnv, module: str, top: int = 12) -> list[dict[str, Any]]:
    """`python -X importtime -c 'import MODULE'`: import time by top-level package
    (the sum of its modules' self times), costliest first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=env.root,
        env=env.gateway_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    by_package: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line[len("import time:") :].split("|", 2)
        package = name.strip().split(".")[0]
        by_package[package] = by_package.get(package, 0.0) + int(self_us) / 1000
    ranked = sorted(by_package.items(), key=lambda kv: -kv[1])[:top]
    return [{"package": name, "ms": round(ms, 1)} for name, ms in ranked]


def run(env: BenchEnv) -> BenchResult:
    result = BenchResult(NAME, TITLE)
    env.ensure_data()
    names = targets()
    samples: dict[str, list[dict[str, Any]]] = {t: [] for t in names}
    reps = env.budget.cold_start_reps
    for rep in range(reps):
        for target in names:  # interleaved, so noise hits both alike
            sample = _one(env, target)
            samples[target].append(sample)
        say(
            f"  rep {rep + 1}/{reps}: "
            + ", ".join(f"{t} {samples[t][-1]['total_s'] * 1000:.0f} ms" for t in names)
        )
    keys = ("total_s", "interpreter_s", "import_s", "build_s", "first_request_s", "peak_rss_mib")
    medians = {t: {k: median([s[k] for s in samples[t]]) for k in keys} for t in names}
    measured = [t for t in names if t != "bare"]
    result.details = {
        "measures": [TARGET_LABELS[t] for t in measured],
        "medians": medians,
        "samples": samples,
        "gateway_import_profile": import_profile(env, "graph.app"),
    }
    bare = medians["bare"]
    for target in measured:
        gw = medians[target]
        rows = [
            ("total_s", "spawn to first answer"),
            ("import_s", "import"),
            ("first_request_s", FIRST_LABELS[target]),
        ]
        if target == "asgi":
            rows.insert(2, ("build_s", "create_app()"))
        for key, label in rows:
            result.figures.append(
                Figure(
                    f"{target}: {label}",
                    gw[key] * 1000,
                    "ms",
                    bare[key] * 1000,
                    "bare graphql-core",
                    samples=reps,
                )
            )
        result.figures.append(
            Figure(
                f"{target}: peak RSS",
                gw["peak_rss_mib"],
                "MiB",
                bare["peak_rss_mib"],
                "bare graphql-core",
            )
        )
    heavy = ", ".join(
        f"{r['package']} {r['ms']:.0f} ms" for r in result.details["gateway_import_profile"][:8]
    )
    result.notes.append(f"import graph.app by package (-X importtime, self times): {heavy}")
    result.notes.append(
        "measured: " + "; ".join(result.details["measures"]) + f". Medians of {reps} fresh "
        "processes each; the baseline is a bare graphql-core + aioboto3 ASGI app doing the "
        "same first product page over httpx's ASGITransport."
    )
    return result


TARGET_LABELS = {
    "lambda": "graph.lambdas.gateway.gateway_handler, first invocation with an API Gateway "
    "HTTP API event (Mangum)",
    "asgi": "graph.app:create_app() and a first request over httpx's ASGITransport",
}
FIRST_LABELS = {
    "lambda": "first invocation (builds app, client, schema; 2 calls)",
    "asgi": "first request (client, schema, 2 calls)",
}


NAME = "cold_start"
TITLE = "Cold start: fresh process to first answer, gateway vs bare graphql-core app"
BENCHMARK = Benchmark(NAME, TITLE, run)
