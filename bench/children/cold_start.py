"""One cold start, in a fresh interpreter (started by bench/benchmarks/cold_start.py):

    python -m bench.children.cold_start TARGET SPAWNED_AT

TARGET is one of:

- `lambda`       import graph.lambdas.gateway and invoke its `gateway_handler` with an API
                 Gateway HTTP API event (the handler builds everything on its first
                 invocation);
- `snapstart`    `lambda` with AWS_LAMBDA_INITIALIZATION_TYPE=snap-start: the import primes
                 the first invocation's code (graph/lambdas/snapstart.py), so its first
                 invocation is what a restored environment still does (the restore
                 itself, Lambda's work, is not measured here);
- `handwritten`  the same for the hand-written aioboto3 handler
                 (bench/baselines/lambda_handler.py): the floor a user would write;
- `asgi`         graph.app + create_app + a first request over httpx's ASGITransport;
- `bare`         bench.baselines.bare_app, the same steps as `asgi`.

For `lambda` and `handwritten`, `httpx` is made unimportable before anything else is
imported, as in dist/lambda.zip, which has no httpx: in the test venv aiobotocore would
otherwise import it, and httpx's CLI pulls click, pygments and rich (about 0.1 s) into
both handlers' first invocation. SPAWNED_AT is the parent's time.monotonic() just before
the spawn (CLOCK_MONOTONIC is system-wide on Linux). Prints one JSON line of timings.

With BENCH_COLD_PROFILE=PATH the import and first invocation run under cProfile and the
stats go to PATH (`python -m bench.profile --cold` reads them).
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import sys  # noqa: E402

if sys.argv[1:2] in (["lambda"], ["snapstart"], ["handwritten"]):
    sys.modules["httpx"] = None  # type: ignore[assignment]  # as in the zip: ImportError

import asyncio  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
from typing import Any  # noqa: E402

from bench.harness.lambda_event import (  # noqa: E402
    Handler,
    LambdaContext,
    gateway_handler,
    http_api_event,
    response_json,
)
from bench.harness.procinfo import memory_mib, print_sample  # noqa: E402
from bench.harness.queries import (  # noqa: E402
    PRODUCT_PAGE,
    PRODUCT_PAGE_IMAGES,
    product_page_variables,
)

#: The first answer, N=20: the README's product page for the Lambda handlers (the one
#: the hand-written handler answers), the image page bench used before for the others.
PAGE = 20
PAYLOAD = {"query": PRODUCT_PAGE_IMAGES, "variables": product_page_variables(PAGE)}
LAMBDA_PAYLOAD = {"query": PRODUCT_PAGE, "variables": product_page_variables(PAGE)}


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


def _handwritten_handler() -> Handler:
    from bench.baselines import lambda_handler

    return lambda_handler.handler


def main() -> None:
    target, spawned_at = sys.argv[1], float(sys.argv[2])
    api_key = os.environ["BENCH_API_KEY"]
    profile_to = os.environ.get("BENCH_COLD_PROFILE")
    profiler = cProfile.Profile(time.process_time) if profile_to else None
    if target in ("asgi", "bare"):
        import httpx  # noqa: F401  - the request driver is not part of either app's cost

    t_import, cpu_import = time.monotonic(), time.process_time()
    if profiler is not None:
        profiler.enable()
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
    elif target in ("lambda", "snapstart", "handwritten"):
        # Importing the handler's module is Lambda's init phase; the rest is the first
        # invocation.
        if target == "snapstart":
            os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
        handler = _handwritten_handler() if target == "handwritten" else gateway_handler()
        t_build = t_request = time.monotonic()
        cpu_build = time.process_time()
        event = http_api_event(LAMBDA_PAYLOAD, api_key, "bench-cold-start")
        answer = response_json(handler(event, LambdaContext()))
    else:
        raise SystemExit(f"unknown target {target!r}")
    t_done, cpu_done = time.monotonic(), time.process_time()
    if target in ("asgi", "bare"):
        cpu_build = cpu_done  # not split for these
    if profiler is not None and profile_to:
        profiler.disable()
        profiler.dump_stats(profile_to)
    read_capacity = None
    if target in ("lambda", "snapstart"):
        # Capacity figures are shown only to keys that may read private fields (issue 30):
        # the same page again, untimed, with the tenant's write key, for the cost model.
        from bench.harness.dataset import TENANT_A, tenant_keys  # after the timing: no share

        write_key = tenant_keys(TENANT_A)[1].raw
        again = response_json(
            handler(http_api_event(LAMBDA_PAYLOAD, write_key, "c"), LambdaContext())
        )
        read_capacity = ((again.get("extensions") or {}).get("cost") or {}).get(
            "actualReadCapacity"
        )
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
            # CPU time of this process (user + system): what the machine's load does not
            # stretch, unlike the wall times above.
            "cpu_total_s": time.process_time(),
            "cpu_import_s": cpu_build - cpu_import,
            "cpu_first_request_s": cpu_done - cpu_build,
            "modules": len(sys.modules),
            "httpx_loaded": sys.modules.get("httpx") is not None,
            # DynamoDB read units the page consumed (the gateway reports them): the cost
            # model's input (bench/harness/cost_model.py).
            "read_capacity": read_capacity,
        }
    )


if __name__ == "__main__":
    main()
