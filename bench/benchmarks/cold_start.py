"""Bench 4: cold start, from spawning a fresh interpreter to the first answer, as a user
of the Lambda would meet it.

Each sample is a new process (bench/children/cold_start.py). Targets, interleaved
sample by sample so that background noise hits them alike:

  lambda       import graph.lambdas.gateway (Lambda's init), then the first invocation of
               `gateway_handler` with an API Gateway HTTP API event carrying the README's
               product page (N=20): settings, registry, app, DynamoDB client, schema
  snapstart    `lambda` with SnapStart's init (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start):
               its import primes the app's code as the snapshot would hold it; its
               first invocation is what a restored environment still does (plus the
               restore, which only Lambda can measure)
  handwritten  the same event through a hand-written aioboto3 handler
               (bench/baselines/lambda_handler.py on bench/baselines/plain_client.py):
               the floor, same site-packages, same DynamoDB Local, same answer
  asgi         import graph.app; create_app(); a first request over httpx's ASGITransport
  bare         bench/baselines/bare_app.py (graphql-core + aioboto3), the same steps

`lambda` and `handwritten` run with httpx made unimportable, as in dist/lambda.zip (the
test venv's httpx would pull click, pygments and rich into aiobotocore's import). The
gateway's and bench's own modules are compiled to bytecode first, as the zip ships them:
the children run with PYTHONDONTWRITEBYTECODE (as this machine's shells do), so without
it every sample compiled ~170 of the gateway's modules from source (~90 ms of CPU that
no deployed cold start spends). Issue
31's goals: lambda / handwritten spawn-to-answer median <= x1.3; the import of the
gateway's entry point <= 300 ms (median). Each figure carries its spread (min-max).
Also reported: the size of dist/lambda.zip when `make package` built one.
"""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
import time
from typing import Any

from bench.harness import goals
from bench.harness.dataset import TENANT_A
from bench.harness.env import ROOT, BenchEnv
from bench.harness.progress import say
from bench.harness.results import Benchmark, BenchResult, Figure
from bench.harness.stats import median

TARGETS = ("lambda", "snapstart", "handwritten", "asgi", "bare")
#: Issue 31: spawn-to-answer ratio, and the entry point's import in ms.
RATIO_GOAL = 1.3
IMPORT_GOAL_MS = 300.0
KEYS = (
    "total_s",
    "interpreter_s",
    "import_s",
    "build_s",
    "first_request_s",
    "peak_rss_mib",
    "cpu_total_s",
    "cpu_import_s",
    "cpu_first_request_s",
)


def child_env(env: BenchEnv, **extra: str) -> dict[str, str]:
    """What a cold-start child gets: the deployed gateway's variables for one tenant, and
    the hand-written handler's (its tables, key and plain aioboto3 client)."""
    return env.gateway_env(
        BENCH_DYNAMODB_ENDPOINT=env.dynamodb_endpoint,
        GRAPH_TENANT_ID=TENANT_A,
        BENCH_HANDWRITTEN_CLIENT="aioboto3",
        **env.handwritten_env(),
        **extra,
    )


def compile_sources(env: BenchEnv) -> None:
    """Bytecode for graph/ and bench/ in their __pycache__ folders (git-ignored), as
    dist/lambda.zip ships it: site-packages has its own already."""
    for folder in ("graph", "bench"):
        compileall.compile_dir(env.root / folder, quiet=1)


def one_sample(env: BenchEnv, target: str, **extra: str) -> dict[str, Any]:
    spawned_at = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench.children.cold_start", target, repr(spawned_at)],
        cwd=env.root,
        env=child_env(env, **extra),
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


def zip_size() -> dict[str, Any] | None:
    """dist/lambda.zip's size when `make package` built one (this run does not build it)."""
    path = ROOT / "dist" / "lambda.zip"
    if not path.is_file():
        return None
    import zipfile

    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    return {
        "zipped_mib": round(path.stat().st_size / 2**20, 2),
        "unzipped_mib": round(sum(i.file_size for i in infos) / 2**20, 2),
        "files": len(infos),
        "pyc_files": sum(1 for i in infos if i.filename.endswith(".pyc")),
    }


def spread(samples: list[dict[str, Any]], key: str, scale: float = 1000.0) -> str:
    values = [s[key] * scale for s in samples]
    return f"{min(values):.0f}-{max(values):.0f}"


def run(env: BenchEnv) -> BenchResult:
    result = BenchResult(NAME, TITLE)
    env.ensure_data()
    compile_sources(env)
    samples: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
    reps = env.budget.cold_start_reps
    for rep in range(reps):
        shift = rep % len(TARGETS)
        for target in TARGETS[shift:] + TARGETS[:shift]:  # interleaved, order rotated
            samples[target].append(one_sample(env, target))
        say(
            f"  rep {rep + 1}/{reps}: "
            + ", ".join(
                f"{t} {samples[t][-1]['total_s'] * 1000:.0f} ms "
                f"({samples[t][-1]['import_s'] * 1000:.0f} import)"
                for t in TARGETS
            )
        )
    medians = {t: {k: median([s[k] for s in samples[t]]) for k in KEYS} for t in TARGETS}
    medians["lambda"]["read_capacity"] = samples["lambda"][-1]["read_capacity"]
    result.details = {
        "medians": medians,
        "samples": samples,
        "gateway_import_profile": import_profile(env, "graph.lambdas.gateway"),
        "zip": zip_size(),
    }
    gw, hand = medians["lambda"], medians["handwritten"]
    lam = samples["lambda"]
    for key, label, goal, ratio_goal in (
        ("total_s", "spawn to first answer", goals.COLD_START, RATIO_GOAL),
        ("interpreter_s", "interpreter start", "", None),
        ("import_s", "import of the handler's module", "", None),
        ("first_request_s", "first invocation", "", None),
        ("cpu_total_s", "CPU, spawn to first answer", "", None),
        ("cpu_import_s", "CPU, import", "", None),
        ("cpu_first_request_s", "CPU, first invocation", "", None),
    ):
        result.figures.append(
            Figure(
                f"lambda: {label}",
                gw[key] * 1000,
                "ms",
                hand[key] * 1000,
                "hand-written aioboto3 handler",
                samples=reps,
                note=f"spread {spread(lam, key)} vs {spread(samples['handwritten'], key)} ms",
                goal=goal,
                ratio_goal=ratio_goal,
            )
        )
    result.figures.append(
        Figure(
            "lambda: import of graph.lambdas.gateway (goal)",
            gw["import_s"] * 1000,
            "ms",
            target=IMPORT_GOAL_MS,
            samples=reps,
            note=f"spread {spread(lam, 'import_s')} ms",
            goal=goals.COLD_IMPORT,
        )
    )
    snap = medians["snapstart"]
    result.figures.append(
        Figure(
            "snapstart: first invocation after a primed init (restore not included)",
            snap["first_request_s"] * 1000,
            "ms",
            hand["total_s"] * 1000,
            "hand-written, spawn to first answer",
            samples=reps,
            note=f"spread {spread(samples['snapstart'], 'first_request_s')} ms",
        )
    )
    result.figures.append(
        Figure("lambda: peak RSS", gw["peak_rss_mib"], "MiB", hand["peak_rss_mib"], "hand-written")
    )
    asgi, bare = medians["asgi"], medians["bare"]
    for key, label in (
        ("total_s", "spawn to first answer"),
        ("import_s", "import"),
        ("build_s", "create_app()"),
        ("first_request_s", "first request (client, schema, 2 calls)"),
    ):
        result.figures.append(
            Figure(
                f"asgi: {label}",
                asgi[key] * 1000,
                "ms",
                bare[key] * 1000,
                "bare graphql-core",
                samples=reps,
            )
        )
    heavy = ", ".join(
        f"{r['package']} {r['ms']:.0f} ms" for r in result.details["gateway_import_profile"][:8]
    )
    result.notes.append(
        f"import graph.lambdas.gateway by package (-X importtime, self times): {heavy}"
    )
    result.notes.append(
        "spread (min-max ms over the samples), lambda vs handwritten: "
        + "; ".join(
            f"{label} {spread(lam, key)} vs {spread(samples['handwritten'], key)}"
            for key, label in (
                ("total_s", "spawn to answer"),
                ("import_s", "import"),
                ("first_request_s", "first invocation"),
                ("cpu_total_s", "CPU spawn to answer"),
            )
        )
    )
    size = result.details["zip"]
    if size:
        result.notes.append(
            f"dist/lambda.zip: {size['zipped_mib']} MiB zipped, {size['unzipped_mib']} MiB "
            f"unzipped, {size['files']} files ({size['pyc_files']} .pyc)"
        )
    result.notes.append(
        f"medians of {reps} fresh processes per target, interleaved; lambda and "
        "handwritten answer the README's product page (N=20) to the same API Gateway HTTP "
        "API event with httpx unimportable (as in the zip); asgi and bare the image page "
        "over httpx's ASGITransport. Spreads are min-max over the samples."
    )
    return result


NAME = "cold_start"
TITLE = "Cold start: fresh process to first answer, gateway vs hand-written handler"
BENCHMARK = Benchmark(NAME, TITLE, run)
