"""One start-up with a given registry, in a fresh interpreter
(see bench/benchmarks/tenant_scale.py):

    GRAPH_TENANTS_DIR=... python -m bench.children.tenant_scale

Imports the app, then times and measures `create_app()` (settings, registry load and
validation, the app) and building every tenant's schema, as serving one request for
each tenant would. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path


def _status() -> dict[str, float]:
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":", 1)
            found[name] = int(value.split()[0]) / 1024
    return found


def main() -> int:
    started = time.perf_counter()
    import graph.app

    imported = time.perf_counter()
    before = _status()
    app = graph.app.create_app()
    built = time.perf_counter()
    after_build = _status()
    runtime = app.state.runtime
    tenants = list(runtime.registry.tenants.values())
    for tenant in tenants:
        runtime.schema_for(tenant)
    warmed = time.perf_counter()
    after_schemas = _status()
    print(
        json.dumps(
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
        ),
        flush=True,
    )
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
