"""One tenant schema build with N custom fields, in a fresh interpreter (bench/extension_scale.py):

    python -m bench.extension_child FIELDS REPS

Builds the tenant's private schema (`Runtime.schema_for(tenant, private=True)`: the base
Strawberry schema, the tenant's limit extensions, then `extend_schema` with the declared
fields) as the first request of a write key would, then REPS more times with a fresh
Runtime each (warm: Strawberry's one-off work is done), then once more under tracemalloc
for the memory one schema keeps. Prints one JSON line.

The declared fields (`custom_fields`) are also what the parent uses for its execution
figures, so both see the same mix.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

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
    """(runtime, tenant): a Runtime whose `extension_for` returns `extension` (what
    loading the tenant's extension file gives), with a one-tenant registry."""
    from graph.extensions import TenantExtension
    from graph.runtime import Runtime
    from graph.settings import Settings
    from graph.store import TableNames, physical_table_names
    from graph.tenancy import ApiKeyConfig, Registry, Tenant, TenantConfig

    class BenchRuntime(Runtime):
        def extension_for(self, tenant: Tenant) -> TenantExtension:
            ext: TenantExtension = extension
            return ext

    config = TenantConfig(
        id=TENANT_ID,
        name="bench extensions",
        keys=(
            ApiKeyConfig(id="bench-ext-read", sha256="0" * 64, scopes=frozenset({"read"})),
            ApiKeyConfig(id="bench-ext-write", sha256="1" * 64, scopes=frozenset({"write"})),
        ),
    )
    tenant = Tenant(config, TableNames.from_mapping(physical_table_names("test", TENANT_ID)))
    settings = Settings(stage="test", dynamodb_endpoint="http://127.0.0.1:9")
    return BenchRuntime(settings, Registry([tenant], "test")), tenant


def _status() -> dict[str, float]:
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":", 1)
            found[name] = int(value.split()[0]) / 1024
    return found


def main(argv: list[str]) -> int:
    count, reps = int(argv[0]), int(argv[1])
    from graph.extensions import TenantExtension
    from graph.extensions.graphql import extend_schema
    from graph.extensions.modules import TenantModule
    from graph.extensions.sdl import sdl
    from graph.schema import build_schema

    before = _status()
    started = time.perf_counter()
    spec = extension_spec(count)
    validated = time.perf_counter()
    extension = TenantExtension(TENANT_ID, spec, TenantModule())
    runtime, tenant = bench_runtime(extension)
    schema = runtime.schema_for(tenant, private=True)
    cold = time.perf_counter()
    after_cold = _status()

    builds: list[float] = []
    extends: list[float] = []
    for _ in range(reps):
        fresh, _tenant = bench_runtime(extension)
        t0 = time.perf_counter()
        fresh.schema_for(tenant, private=True)
        builds.append(time.perf_counter() - t0)
        base = build_schema()  # the limit extensions do not change what extend_schema does
        t0 = time.perf_counter()
        extend_schema(base, extension, private=True)
        extends.append(time.perf_counter() - t0)

    private_sdl = sdl(schema)
    public_sdl = sdl(runtime.schema_for(tenant, private=False))
    graphql_schema = schema._schema
    declared = extension.fields("listing", private=True)
    public = extension.fields("listing", private=False)

    # Memory one schema keeps (and the peak while building it), warm, under tracemalloc.
    fresh, _tenant = bench_runtime(extension)
    gc.collect()
    tracemalloc.start()
    baseline_bytes = tracemalloc.get_traced_memory()[0]
    kept = fresh.schema_for(tenant, private=True)
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert kept is not None

    print(
        json.dumps(
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
        ),
        flush=True,
    )
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
