"""The Lambda-shaped pair, in one fresh interpreter (bench/benchmarks/lambda_pair.py):

    python -m bench.children.lambda_pair REQUESTS ROUNDS WARMUP

Invokes, in-process and one at a time, the gateway's Lambda handler
(bench/harness/lambda_event.py GATEWAY_HANDLER) and the hand-written one
(bench/baselines/lambda_handler.py) on the same API Gateway HTTP API v2 event: the
README's product page, N=20 and N=100. Both are configured from the environment as
deployed (`GRAPH_*`, one tenant: GRAPH_TENANT_ID; BENCH_* for the hand-written one).
First checks both answer the same data, then times interleaved rounds: wall time per
invocation and this process's CPU time (time.process_time) per invocation. Last, what
a refused invocation costs: the tenant's token bucket is emptied far into debt, and the
same N=20 event is answered 429 THROTTLED at the door, before any parsing.

The gateway logs a line per invocation on stdout; fd 1 goes to /dev/null while
measuring and the one JSON line comes out on the real stdout at the end.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench.baselines import lambda_handler as hand
from bench.baselines.same_page import same_page
from bench.harness.dataset import TENANT_A, read_key
from bench.harness.lambda_event import (
    Handler,
    LambdaContext,
    gateway_handler,
    http_api_event,
    response_json,
)
from bench.harness.procinfo import print_sample
from bench.harness.queries import product_page_payload
from bench.harness.report import quiet_stdout, restore_stdout
from bench.harness.stats import percentile

SIZES = (20, 100)


def _invoke(handler: Handler, event: dict[str, Any]) -> Any:
    response = handler(event, LambdaContext())
    if response.get("statusCode") != 200:
        raise RuntimeError(f"HTTP {response.get('statusCode')}: {str(response)[:300]}")
    return response_json(response)


def _time(handler: Handler, event: dict[str, Any], count: int) -> dict[str, Any]:
    wall: list[float] = []
    cpu_started = time.process_time()
    for _ in range(count):
        t0 = time.perf_counter()
        handler(event, LambdaContext())
        wall.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / count
    return {"p50": percentile(wall, 50), "p99": percentile(wall, 99), "cpu_ms": cpu_ms}


def _time_refused(event: dict[str, Any], count: int) -> dict[str, Any]:
    """The gateway's 429 at the door: its bucket emptied (the tenant's own Lambda, so no
    pause) far enough into debt that every timed invocation is refused; the first
    refusal is checked, then the invocations are timed like a page's."""
    from graph.lambdas.gateway import gateway

    runtime = gateway().runtime
    bucket = runtime.graph_for(runtime.registry.tenants[TENANT_A]).gate.bucket
    time.sleep(1.1)  # full again after the rounds: a bucket of a second's refill
    if not bucket.take(1000 * bucket.capacity).allowed:  # 999 s of refill in debt
        raise RuntimeError("could not empty the gateway's bucket")
    handler = gateway_handler()
    response = handler(event, LambdaContext())
    if response.get("statusCode") != 429 or "THROTTLED" not in str(response.get("body")):
        raise RuntimeError(f"expected a 429 THROTTLED: {str(response)[:300]}")
    return _time(handler, event, count)


def main(argv: list[str]) -> None:
    requests, rounds, warmup = (int(a) for a in argv)
    handlers: dict[str, Handler] = {"gateway": gateway_handler(), "hand-written": hand.handler}
    key = read_key(TENANT_A)
    events = {n: http_api_event(product_page_payload(n), key) for n in SIZES}
    real_stdout = quiet_stdout()
    try:
        for n, event in events.items():
            answers = {name: _invoke(h, event) for name, h in handlers.items()}
            problem = same_page(answers["gateway"], answers["hand-written"])
            if problem:
                raise RuntimeError(f"hand-written Lambda N={n}: {problem}")
            for h in handlers.values():
                for _ in range(warmup):
                    h(event, LambdaContext())
        found: dict[str, Any] = {f"N={n}": {name: [] for name in handlers} for n in SIZES}
        names = list(handlers)
        for round_no in range(rounds):
            order = names[round_no % 2 :] + names[: round_no % 2]
            for n, event in events.items():
                for name in order:
                    found[f"N={n}"][name].append(_time(handlers[name], event, requests))
        found["refused"] = _time_refused(events[20], requests)
    finally:
        restore_stdout(real_stdout)
    hand.close()
    print_sample(found)


if __name__ == "__main__":
    main(sys.argv[1:])
