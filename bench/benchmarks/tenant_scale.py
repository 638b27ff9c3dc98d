"""Bench 5: start-up time and memory against the number of tenants in the registry.

For 1, 100 and 1,000 tenants (each a `graph.registry.tenants` TOML file with 2 keys), a fresh
process (bench/children/tenant_scale.py) imports the app, then `create_app()` loads and
validates the registry and builds the app; then it builds every tenant's schema, which
is what serving one request per tenant does (schemas are cached per tenant). Time and
memory (VmRSS, VmHWM from /proc/self/status) are medians over fresh processes.
Baseline: the same with 1 tenant.
"""

from __future__ import annotations

from typing import Any

from bench.harness.dataset import scale_tenant_ids, write_registry
from bench.harness.env import BenchEnv
from bench.harness.procinfo import run_child
from bench.harness.progress import say
from bench.harness.results import Benchmark, BenchResult, Figure
from bench.harness.stats import median

SIZES = (1, 100, 1000)


def _one(env: BenchEnv, size: int) -> dict[str, Any]:
    tenants_dir = env.workdir / f"scale-{size}"
    if not tenants_dir.exists():
        write_registry(tenants_dir, scale_tenant_ids(size))
    sample = run_child(
        "bench.children.tenant_scale",
        [],
        cwd=env.root,
        env=env.base_env(GRAPH_TENANTS_DIR=str(tenants_dir)),
        what=f"start-up with {size} tenants",
    )
    if sample["tenants"] != size:
        raise RuntimeError(f"expected {size} tenants, the app loaded {sample['tenants']}")
    return sample


def run(env: BenchEnv) -> BenchResult:
    result = BenchResult(NAME, TITLE)
    reps = env.budget.scale_reps
    samples: dict[int, list[dict[str, Any]]] = {n: [] for n in SIZES}
    for rep in range(reps):
        for size in SIZES:
            samples[size].append(_one(env, size))
        say(
            f"  rep {rep + 1}/{reps}: create_app "
            + ", ".join(
                f"{n} tenants {samples[n][-1]['create_app_s'] * 1000:.0f} ms" for n in SIZES
            )
        )
    keys = [k for k in samples[1][0] if k != "tenants"]
    medians = {n: {k: median([s[k] for s in samples[n]]) for k in keys} for n in SIZES}
    base = medians[1]
    big = medians[SIZES[-1]]
    spread = SIZES[-1] - 1
    result.details = {
        "medians": {str(n): m for n, m in medians.items()},
        "samples": {str(n): s for n, s in samples.items()},
        "per_extra_tenant": {
            "create_app_ms": (big["create_app_s"] - base["create_app_s"]) * 1000 / spread,
            "rss_after_create_app_kib": (
                big["rss_after_create_app_mib"] - base["rss_after_create_app_mib"]
            )
            * 1024
            / spread,
            "schema_ms": (big["schemas_s"] - base["schemas_s"]) * 1000 / spread,
            "schema_rss_kib": (
                (big["rss_after_schemas_mib"] - big["rss_after_create_app_mib"])
                - (base["rss_after_schemas_mib"] - base["rss_after_create_app_mib"])
            )
            * 1024
            / spread,
        },
    }
    for size in SIZES[1:]:
        m = medians[size]
        for key, label, unit, scale in (
            ("create_app_s", "create_app (load registry + app)", "ms", 1000.0),
            ("hwm_after_create_app_mib", "peak RSS (VmHWM) after create_app", "MiB", 1.0),
            ("schemas_s", "build every tenant's schema", "ms", 1000.0),
            ("hwm_after_schemas_mib", "peak RSS with every schema built", "MiB", 1.0),
        ):
            result.figures.append(
                Figure(
                    f"{size} tenants: {label}",
                    m[key] * scale,
                    unit,
                    base[key] * scale,
                    "1 tenant",
                    samples=reps,
                )
            )
    per = result.details["per_extra_tenant"]
    result.notes.append(
        f"per extra tenant: create_app +{per['create_app_ms']:.2f} ms, "
        f"+{per['rss_after_create_app_kib']:.0f} KiB; its schema +{per['schema_ms']:.2f} ms, "
        f"+{per['schema_rss_kib']:.0f} KiB (each tenant gets its own Strawberry schema)"
    )
    return result


NAME = "tenant_scale"
TITLE = "Tenant scale: start-up time and memory with 1 / 100 / 1,000 tenants"
BENCHMARK = Benchmark(NAME, TITLE, run)
