"""One cold start, in a fresh interpreter (started by bench/benchmarks/cold_start.py):

    python -m bench.children.cold_start TARGET SPAWNED_AT

TARGET is `asgi` (graph.app + create_app + a first request over httpx's
ASGITransport), `bare` (bench.baselines.bare_app, the same steps) or `lambda` (import
graph.lambda_handler and invoke its `gateway_handler` with an API Gateway HTTP API
event; the handler builds everything on its first invocation). SPAWNED_AT is the
parent's time.monotonic() just before the spawn (CLOCK_MONOTONIC is system-wide on
Linux). Prints one JSON line of timings.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import asyncio  # noqa: E402
import base64  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, cast  # noqa: E402

QUERY = (
    "query($p: ID!, $n: Int!) { productListings(productId: $p, first: $n) { edges { node "
    "{ id title price { amount currency } images { url } seller { displayName } } } } }"
)
VARIABLES = {"p": "prd-001", "n": 20}


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _post(app: Any, api_key: str) -> Any:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cold") as client:
        response = await client.post(
            "/graphql",
            json={"query": QUERY, "variables": VARIABLES},
            headers={"x-api-key": api_key},
        )
    return response.json()


def _lambda_event(api_key: str) -> dict[str, Any]:
    body = json.dumps({"query": QUERY, "variables": VARIABLES})
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "x-api-key": api_key, "host": "cold"},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "bench",
            "domainName": "cold",
            "http": {
                "method": "POST",
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "bench",
            },
            "requestId": "bench-cold-start",
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": 0,
        },
        "body": body,
        "isBase64Encoded": False,
    }


class _LambdaContext:
    function_name = "resale-graph-bench"
    memory_limit_in_mb = 1024
    aws_request_id = "bench-cold-start"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def main() -> int:
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
        import graph.lambda_handler as module

        t_build = time.monotonic()
        handler: Any = getattr(module, "gateway_handler", None) or module.handler
        t_request = time.monotonic()
        response = handler(_lambda_event(api_key), cast(Any, _LambdaContext()))
        body = response["body"]
        if response.get("isBase64Encoded"):
            body = base64.b64decode(body)
        answer = json.loads(body)
    else:
        raise SystemExit(f"unknown target {target!r}")
    t_done = time.monotonic()
    edges = answer.get("data", {}).get("productListings", {}).get("edges", [])
    print(
        json.dumps(
            {
                "target": target,
                "ok": len(edges) == VARIABLES["n"] and "errors" not in answer,
                "interpreter_s": STARTED - spawned_at,
                "import_s": t_build - t_import,
                "build_s": t_request - t_build,
                "first_request_s": t_done - t_request,
                "total_s": t_done - spawned_at,
                "peak_rss_mib": _peak_rss_mib(),
            }
        ),
        flush=True,
    )
    os._exit(0)  # the time to tear down is not part of a cold start


if __name__ == "__main__":
    raise SystemExit(main())
