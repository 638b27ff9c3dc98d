"""Bench 7: the cost of a tenant's custom fields: schema build, memory, SDL, execution.

Schema: one tenant's private schema (`TenantGraph.schema(private=True)`, what a
write key's first request builds) with 0, 10, 50 and 200 declared listing fields, a
realistic mix (bench/children/extension_build.py `custom_fields`: scalars, enums, one list /
object / JSON in ten, every third filterable, every fifth private). Each size is built
in a fresh process (bench/children/extension_build.py): the first build there (cold: includes
Strawberry's one-off work), then the median of warm rebuilds with a fresh Runtime, then
one more under tracemalloc for the memory the schema keeps (tracemalloc is on only for
that build, so it does not slow the timed ones). The extension is given to the Runtime
as loading the tenant's extension file would give it (`TenantExtension(id, spec,
TenantModule())`); the file read is not timed. Baseline: the same with 0 fields.

Execution: the product page (N=20) selecting `custom { ...every public field }` with
50 declared fields, against the same page without `custom` on the 0-field schema: the
public (storefront) schema as served, the real DataLoaders over in-memory items (the
dataset plus a stored value for every declared field), in-process, as bench/benchmarks/field_cost.py
measures: CPU time per execution, per resolved field.
"""

from __future__ import annotations

from typing import Any, cast

from bench.children.extension_build import bench_runtime, extension_spec, schema_of
from bench.harness.custom_data import custom_query, data_with_custom
from bench.harness.env import BenchEnv
from bench.harness.memory import MemoryData, MemoryStore, request_context
from bench.harness.procinfo import run_child
from bench.harness.progress import say
from bench.harness.queries import PRODUCT_PAGE_IMAGES, product_page_variables
from bench.harness.results import Benchmark, BenchResult, Figure
from bench.harness.stats import Execute, count_fields, median, run_async, time_execution

SIZES = (0, 10, 50, 200)
EXECUTED_FIELDS = 50
PAGE = 20


# -- schema builds, one fresh process per size ------------------------------------------


def _build(env: BenchEnv, size: int, reps: int) -> dict[str, Any]:
    sample = run_child(
        "bench.children.extension_build",
        [str(size), str(reps)],
        cwd=env.root,
        env=env.base_env(),
        what=f"schema build with {size} fields",
    )
    if sample["fields"] != size:
        raise RuntimeError(f"expected {size} declared fields, the schema had {sample['fields']}")
    return sample


def _builds(env: BenchEnv) -> dict[int, dict[str, Any]]:
    processes = env.budget.scale_reps
    reps = 5 if env.budget.quick else 15
    samples: dict[int, list[dict[str, Any]]] = {n: [] for n in SIZES}
    for rep in range(processes):
        for size in SIZES:  # interleaved, so background load hits every size alike
            samples[size].append(_build(env, size, reps))
        say(
            f"  rep {rep + 1}/{processes}: warm build "
            + ", ".join(f"{n} fields {samples[n][-1]['build_s'] * 1000:.1f} ms" for n in SIZES)
        )
    numeric = [k for k, v in samples[0][0].items() if isinstance(v, int | float)]
    found: dict[int, dict[str, Any]] = {}
    for size, rows in samples.items():
        found[size] = {k: median([r[k] for r in rows]) for k in numeric}
        found[size]["processes"] = len(rows)
        found[size]["builds_per_process"] = reps
    return found


# -- execution over in-memory data -------------------------------------------------------


def _executor(data: MemoryData, size: int) -> tuple[Execute, str, Any]:
    """(execute, query, extension): the storefront (public) schema of a tenant with
    `size` declared fields, as served: limit extensions, real DataLoaders."""
    from bench.harness.graph_store import TenantStore
    from graph.extensions import TenantExtension
    from graph.extensions.modules import TenantModule
    from graph.loaders import build_loaders
    from graph.registry.tenants import Principal

    extension = TenantExtension("bench-ext", extension_spec(size), TenantModule())
    runtime, tenant = bench_runtime(extension)
    schema = schema_of(runtime, tenant, private=False)
    public = extension.fields("listing", private=False)
    query = custom_query(public) if public else PRODUCT_PAGE_IMAGES
    principal = Principal(tenant=tenant, key_id="bench-ext-read", scopes=frozenset({"read"}))
    store = cast(TenantStore, MemoryStore(data))
    variables = product_page_variables(PAGE)

    async def execute() -> Any:
        context = request_context(runtime, principal, store, build_loaders(store))
        result = await schema.execute(query, variable_values=variables, context_value=context)
        if result.errors:
            raise RuntimeError(f"{size} fields: {result.errors}")
        return result.data

    return execute, query, extension


async def _execution(env: BenchEnv) -> dict[str, Any]:
    big = extension_spec(EXECUTED_FIELDS).listing.fields
    data = data_with_custom(big)
    executors: dict[int, Execute] = {}
    answers: dict[int, Any] = {}
    public_count = 0
    for size in (0, EXECUTED_FIELDS):
        execute, _query, extension = _executor(data, size)
        executors[size] = execute
        answers[size] = await execute()
        if size:
            public_count = len(extension.fields("listing", private=False))
    # The check: the same page, plus every public field on every listing, nothing else.
    with_custom = answers[EXECUTED_FIELDS]["productListings"]["edges"]
    without = answers[0]["productListings"]["edges"]
    if len(with_custom) != PAGE or len(without) != PAGE:
        raise RuntimeError("the product page did not return a full page")
    for a, b in zip(with_custom, without, strict=True):
        custom = a["node"].pop("custom")
        if len(custom) != public_count or any(v is None for v in custom.values()):
            raise RuntimeError(f"custom answered {len(custom)} values, expected {public_count}")
        if a != b:
            raise RuntimeError("the page with custom fields differs from the page without")
    answers[EXECUTED_FIELDS] = await executors[EXECUTED_FIELDS]()
    fields = {size: count_fields(answer) for size, answer in answers.items()}
    for execute in executors.values():  # warm-up
        for _ in range(5):
            await execute()
    cpu: dict[int, list[float]] = {size: [] for size in executors}
    wall: dict[int, list[float]] = {size: [] for size in executors}
    for _ in range(env.budget.field_cost_repeats):
        for size, execute in executors.items():
            cpu_s, wall_s = await time_execution(execute, env.budget.field_cost_seconds)
            cpu[size].append(cpu_s)
            wall[size].append(wall_s)
    cpu_ms = {str(s): median(r) * 1000 for s, r in cpu.items()}
    found: dict[str, Any] = {
        "page": PAGE,
        "declared_fields": EXECUTED_FIELDS,
        "public_fields": public_count,
        "fields": {str(s): n for s, n in fields.items()},
        "cpu_seconds_per_execution": {str(s): [round(v, 7) for v in r] for s, r in cpu.items()},
        "wall_seconds_per_execution": {str(s): [round(v, 7) for v in r] for s, r in wall.items()},
        "cpu_ms": cpu_ms,
        "us_per_field": {str(s): median(r) / fields[s] * 1e6 for s, r in cpu.items()},
    }
    say(
        f"  execute N={PAGE}: 0 fields {fields[0]} resolved, {cpu_ms['0']:.2f} ms; "
        f"{EXECUTED_FIELDS} fields {fields[EXECUTED_FIELDS]} resolved, "
        f"{cpu_ms[str(EXECUTED_FIELDS)]:.2f} ms"
    )
    return found


def _run_execution(env: BenchEnv) -> dict[str, Any]:
    return run_async(_execution(env))


# -- the figures -----------------------------------------------------------------------------


def run(env: BenchEnv) -> BenchResult:
    result = BenchResult(NAME, TITLE)
    builds = _builds(env)
    executed = _run_execution(env)
    result.details = {"builds": {str(n): b for n, b in builds.items()}, "execution": executed}
    base = builds[0]
    processes = int(base["processes"])
    for size in SIZES[1:]:
        b = builds[size]
        label = (
            f"{size} fields ({int(b['public_fields'])} public, "
            f"{int(b['filterable_fields'])} filterable)"
        )
        result.figures += [
            Figure(
                f"{label}: build private schema (warm)",
                b["build_s"] * 1000,
                "ms",
                base["build_s"] * 1000,
                "0 fields",
                samples=processes * int(b["builds_per_process"]),
            ),
            Figure(
                f"{size} fields: first build in a fresh process",
                b["cold_build_s"] * 1000,
                "ms",
                base["cold_build_s"] * 1000,
                "0 fields",
                samples=processes,
            ),
            Figure(
                f"{size} fields: memory kept per schema (tracemalloc)",
                b["retained_kib"],
                "KiB",
                base["retained_kib"],
                "0 fields",
                samples=processes,
            ),
            Figure(
                f"{size} fields: SDL (private; public {b['sdl_public_bytes'] / 1024:.1f} KiB)",
                b["sdl_private_bytes"] / 1024,
                "KiB",
                base["sdl_private_bytes"] / 1024,
                "0 fields",
            ),
        ]
    n = str(EXECUTED_FIELDS)
    fields = executed["fields"]
    result.figures += [
        Figure(
            f"product page N={PAGE} + custom ({executed['public_fields']} public of "
            f"{EXECUTED_FIELDS}; {fields[n]} vs {fields['0']} fields resolved)",
            executed["us_per_field"][n],
            "µs/field",
            executed["us_per_field"]["0"],
            "0 fields",
            samples=env.budget.field_cost_repeats,
        ),
        Figure(
            f"product page N={PAGE} + custom ({EXECUTED_FIELDS} fields): per execution",
            executed["cpu_ms"][n],
            "ms",
            executed["cpu_ms"]["0"],
            "0 fields",
            samples=env.budget.field_cost_repeats,
        ),
    ]
    big = builds[SIZES[-1]]
    per_field_ms = (big["build_s"] - base["build_s"]) * 1000 / SIZES[-1]
    per_field_kib = (big["retained_kib"] - base["retained_kib"]) / SIZES[-1]
    extra_fields = fields[n] - fields["0"]
    extra_us = (executed["cpu_ms"][n] - executed["cpu_ms"]["0"]) * 1000
    result.notes += [
        f"per declared field (0 -> {SIZES[-1]}): build +{per_field_ms * 1000:.0f} µs, "
        f"+{per_field_kib:.2f} KiB kept; the custom types add "
        f"{big['extend_s'] * 1000:.2f} ms of the {big['build_s'] * 1000:.2f} ms build at "
        f"{SIZES[-1]} fields ({base['extend_s'] * 1000:.2f} ms at 0); validating the "
        f"{SIZES[-1]}-field spec (pydantic) {big['validate_s'] * 1000:.2f} ms, not in the build",
        f"execution: each extra resolved custom field costs {extra_us / extra_fields:.2f} µs "
        f"({extra_fields} more fields, +{extra_us / 1000:.2f} ms per page); µs/field is CPU "
        "time (process_time) per execution / resolved fields, on uvloop, no I/O",
        f"builds: median over {processes} fresh process(es) per size of each one's median of "
        f"{int(base['builds_per_process'])} warm builds; memory = bytes still allocated "
        "(tracemalloc, after gc) once one more warm build is kept; peak and VmRSS/VmHWM "
        "are in the JSON",
    ]
    return result


NAME = "extension_scale"
TITLE = "Custom fields: schema build time, memory and SDL with 0-200 fields; execution cost"
BENCHMARK = Benchmark(NAME, TITLE, run)
