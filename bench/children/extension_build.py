"""One tenant schema build with N custom fields, in a fresh interpreter
(bench/benchmarks/extension_scale.py):

    python -m bench.children.extension_build FIELDS REPS

Builds the tenant's private schema (`TenantGraph.schema(private=True)`: the base
Strawberry types with the tenant's custom types made in (graph/tenant_schema/build.py), and
the tenant's limit extensions) as the first request of a write key would, then REPS more
times with a fresh Runtime each (warm: Strawberry's one-off work is done and the custom
types made for the first build are reused), then once more under tracemalloc
for the memory one schema keeps. Prints one JSON line.

The declared fields (`custom_fields`) are also what the parent uses for its execution
figures, so both see the same mix.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from typing import Any

from bench.harness.procinfo import memory_mib, print_sample
from bench.harness.tenants import STAGE, bench_tenant, offline_settings

TENANT_ID = "bench-ext"

#: One cycle of the mix: mostly scalars and enums, one list / object / JSON per ten.
_CYCLE = (
    "String",
    "Int",
    "Decimal",
    "Boolean",
    "enum",
    "String",
    "DateTime",
    "Float",
    "enum",
    "complex",
)
_COMPLEX = ("list", "object", "list_enum", "JSON")


def custom_fields(count: int) -> dict[str, dict[str, Any]]:
    """`count` listing fields as an extension file declares them (snake_case names).

    Deterministic. Every 10: 2 String, Int, Decimal, Float, Boolean, DateTime, 2 enums
    (4-7 values) and one of list of String / object of 3 scalars / list of an enum /
    JSON. About 1/3 filterable (every third field, when its type can be), every fifth
    private; some with a description, a default, a range or a length limit.
    """
    fields: dict[str, dict[str, Any]] = {}
    complex_seen = 0
    for n in range(count):
        kind = _CYCLE[n % len(_CYCLE)]
        if kind == "complex":
            kind = _COMPLEX[complex_seen % len(_COMPLEX)]
            complex_seen += 1
        name = f"{kind.lower()}_{n:03d}"
        spec: dict[str, Any] = {"type": kind, "description": f"Custom field {n} ({kind})."}
        if kind == "enum":
            spec["values"] = [f"V{n:03d}_{v}" for v in range(4 + n % 4)]
        elif kind == "list":
            spec.update(items={"type": "String"}, max_length=8)
        elif kind == "list_enum":
            spec.update(type="list", items={"type": "enum", "values": ["RED", "GREEN", "BLUE"]})
        elif kind == "object":
            spec["fields"] = {
                "width": {"type": "Decimal", "min": 0},
                "height": {"type": "Decimal", "min": 0},
                "unit": {"type": "String", "max_length": 4},
            }
        elif kind in {"Int", "Decimal"} and n % 2:
            spec.update(min=0, max=100_000)
        elif kind == "String" and n % 2:
            spec["max_length"] = 80
        elif kind == "Boolean":
            spec["default"] = False
        if n % 3 == 0 and spec["type"] not in {"list", "object", "JSON"}:
            spec["filterable"] = True
        if n % 5 == 4:
            spec["visibility"] = "private"
        fields[name] = spec
    return fields


def extension_spec(count: int) -> Any:
    """The validated ExtensionSpec (graph/extensions/spec.py) with `count` listing fields."""
    from graph.extensions.spec import ExtensionSpec

    return ExtensionSpec.model_validate({"listing": {"fields": custom_fields(count)}})


def bench_runtime(extension: Any) -> tuple[Any, Any]:
    """(runtime, tenant): a one-tenant Runtime whose tenant graph carries `extension`
    (what loading the tenant's extension files gives; the file read is not measured)."""
    from graph.registry.tenants import Registry
    from graph.tenancy.runtime import Runtime

    tenant = bench_tenant(TENANT_ID, "read", "write", name="bench extensions")
    runtime = Runtime(offline_settings(), Registry([tenant], STAGE))
    runtime.graph_for(tenant).extension = extension  # no files: the tenant has none
    return runtime, tenant


def schema_of(runtime: Any, tenant: Any, *, private: bool) -> Any:
    """The tenant's schema as the gateway builds and serves it (its TenantGraph's)."""
    return runtime.graph_for(tenant).schema(private=private)


def main(argv: list[str]) -> None:
    count, reps = int(argv[0]), int(argv[1])
    from graph.execution.internals import graphql_schema as core_schema
    from graph.extensions import TenantExtension
    from graph.extensions.modules import TenantModule
    from graph.extensions.sdl import sdl
    from graph.tenant_schema.build import build_schema

    before = memory_mib()
    started = time.perf_counter()
    spec = extension_spec(count)
    validated = time.perf_counter()
    extension = TenantExtension(TENANT_ID, spec, TenantModule())
    runtime, tenant = bench_runtime(extension)
    schema = schema_of(runtime, tenant, private=True)
    cold = time.perf_counter()
    after_cold = memory_mib()

    builds: list[float] = []
    extends: list[float] = []
    for _ in range(reps):
        fresh, _tenant = bench_runtime(extension)
        t0 = time.perf_counter()
        schema_of(fresh, tenant, private=True)
        builds.append(time.perf_counter() - t0)
        # What the custom types add to a build: with the extension, minus without.
        t0 = time.perf_counter()
        build_schema()
        base_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_schema(extension, private=True)
        extends.append(time.perf_counter() - t0 - base_seconds)

    private_sdl = sdl(schema)
    public_sdl = sdl(schema_of(runtime, tenant, private=False))
    graphql_schema = core_schema(schema)
    declared = extension.fields("listing", private=True)
    public = extension.fields("listing", private=False)

    # Memory one schema keeps (and the peak while building it), warm, under tracemalloc.
    fresh, _tenant = bench_runtime(extension)
    gc.collect()
    tracemalloc.start()
    baseline_bytes = tracemalloc.get_traced_memory()[0]
    kept = schema_of(fresh, tenant, private=True)
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert kept is not None

    print_sample(
        {
            "fields": len(declared),
            "public_fields": len(public),
            "filterable_fields": sum(1 for s in declared.values() if s.filterable),
            "validate_s": validated - started,
            "cold_build_s": cold - validated,
            "build_s": statistics.median(builds),
            "builds_s": builds,
            "extend_s": statistics.median(extends),
            "retained_kib": (current - baseline_bytes) / 1024,
            "peak_kib": (peak - baseline_bytes) / 1024,
            "rss_before_mib": before["VmRSS"],
            "rss_after_cold_build_mib": after_cold["VmRSS"],
            "hwm_after_cold_build_mib": after_cold["VmHWM"],
            "sdl_private_bytes": len(private_sdl.encode()),
            "sdl_public_bytes": len(public_sdl.encode()),
            "types": len(graphql_schema.type_map),
        }
    )


if __name__ == "__main__":
    main(sys.argv[1:])
