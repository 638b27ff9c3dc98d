"""App factories the benchmark serves with uvicorn besides `graph.app:create_app`.

    uvicorn bench.harness.servers:create_naive_app --factory

`create_naive_app` is `create_app()`'s default path (settings from `GRAPH_*`, the
registry from `GRAPH_TENANTS_DIR`) with one change: `Runtime(..., batching=False)`,
i.e. one GetItem per seller instead of DataLoaders. The app has no environment switch
for that; if it gets one (say `GRAPH_BATCHING=false`), this module can go.
"""

from __future__ import annotations

from starlette.applications import Starlette

from graph.app import create_app
from graph.registry.tenants import load_registry
from graph.settings import Settings
from graph.tenancy.runtime import Runtime


def create_naive_app() -> Starlette:
    settings = Settings()
    registry = load_registry(settings.tenants_dir, settings.stage)
    return create_app(settings, runtime=Runtime(settings, registry, batching=False))
