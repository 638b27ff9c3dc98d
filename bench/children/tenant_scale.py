"""One start-up with a given registry, in a fresh interpreter
(see bench/benchmarks/tenant_scale.py):

    GRAPH_TENANTS_DIR=... python -m bench.children.tenant_scale

Imports the app, then times and measures `create_app()` (settings, registry load and
validation, the app) and building every tenant's schema, as serving one request for
each tenant would. Prints one JSON line.
"""

from __future__ import annotations

import time

from bench.harness.procinfo import memory_mib, print_sample


def main() -> None:
    started = time.perf_counter()
    import graph.app

    imported = time.perf_counter()
    before = memory_mib()
    app = graph.app.create_app()
    built = time.perf_counter()
    after_build = memory_mib()
    runtime = app.state.runtime
    tenants = list(runtime.registry.tenants.values())
    for tenant in tenants:
        runtime.graph_for(tenant).schema(private=False)
    warmed = time.perf_counter()
    after_schemas = memory_mib()
    print_sample(
        {
            "tenants": len(tenants),
            "import_s": imported - started,
            "create_app_s": built - imported,
            "schemas_s": warmed - built,
            "rss_after_import_mib": before["VmRSS"],
            "rss_after_create_app_mib": after_build["VmRSS"],
            "hwm_after_create_app_mib": after_build["VmHWM"],
            "rss_after_schemas_mib": after_schemas["VmRSS"],
            "hwm_after_schemas_mib": after_schemas["VmHWM"],
        }
    )


if __name__ == "__main__":
    main()
