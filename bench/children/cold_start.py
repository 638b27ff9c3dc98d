"""One cold start, in a fresh interpreter (started by bench/benchmarks/cold_start.py):

    python -m bench.children.cold_start TARGET SPAWNED_AT

TARGET is `asgi` (graph.app + create_app + a first request over httpx's
ASGITransport), `bare` (bench.baselines.bare_app, the same steps) or `lambda` (import
graph.lambdas.gateway and invoke its `gateway_handler` with an API Gateway HTTP API
event; the handler builds everything on its first invocation). SPAWNED_AT is the
parent's time.monotonic() just before the spawn (CLOCK_MONOTONIC is system-wide on
Linux). Prints one JSON line of timings.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import asyncio  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

from bench.harness.lambda_event import (  # noqa: E402
    LambdaContext,
    gateway_handler,
    http_api_event,
    response_json,
)
from bench.harness.procinfo import memory_mib, print_sample  # noqa: E402
from bench.harness.queries import PRODUCT_PAGE_IMAGES, product_page_variables  # noqa: E402

#: The first answer: the product page bench measured cold starts with (images, N=20).
PAGE = 20
PAYLOAD = {"query": PRODUCT_PAGE_IMAGES, "variables": product_page_variables(PAGE)}


async def _post(app: Any, api_key: str) -> Any:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cold") as client:
        response = await client.post(
            "/graphql",
            json=PAYLOAD,
            headers={"x-api-key": api_key},
        )
    return response.json()


def main() -> None:
    target, spawned_at = sys.argv[1], float(sys.argv[2])
    api_key = os.environ["BENCH_API_KEY"]
    import httpx  # noqa: F401  - the request driver is not part of either app's cost

    t_import = time.monotonic()
    if target == "asgi":
        import graph.app

        t_build = time.monotonic()
        app: Any = graph.app.create_app()
        t_request = time.monotonic()
        answer = asyncio.run(_post(app, api_key))
    elif target == "bare":
        import bench.baselines.bare_app

        t_build = time.monotonic()
        app = bench.baselines.bare_app.create_bare_app()
        t_request = time.monotonic()
        answer = asyncio.run(_post(app, api_key))
    elif target == "lambda":
        handler = gateway_handler()  # imports the handler's module

        t_build = time.monotonic()
        t_request = time.monotonic()
        event = http_api_event(PAYLOAD, api_key, "bench-cold-start")
        answer = response_json(handler(event, LambdaContext()))
    else:
        raise SystemExit(f"unknown target {target!r}")
    t_done = time.monotonic()
    edges = answer.get("data", {}).get("productListings", {}).get("edges", [])
    print_sample(
        {
            "target": target,
            "ok": len(edges) == PAGE and "errors" not in answer,
            "interpreter_s": STARTED - spawned_at,
            "import_s": t_build - t_import,
            "build_s": t_request - t_build,
            "first_request_s": t_done - t_request,
            "total_s": t_done - spawned_at,
            "peak_rss_mib": memory_mib()["VmHWM"],
        }
    )


if __name__ == "__main__":
    main()
