"""Where a warm product page's CPU goes, by direct timing, in one fresh interpreter
(`python -m bench.profile --layers` starts it):

    python -m bench.children.layers ROUNDS COUNT

In-process, as a warm Lambda execution environment runs them (the environment of
bench/children/lambda_pair.py): the gateway's handler on the README's product page
(N=20 and N=100), the hand-written handler on a client with the gateway's item-read
parser (BENCH_HANDWRITTEN_CLIENT=item-parser), and the parts of the gateway's work that
can be run alone: a refused invocation (the envelope: Mangum, the middleware, the key,
the door's refusal, the log line and EMF), the tenant schema's `execute` on a fresh
context (no HTTP), the page's two DynamoDB calls through the tenant's store alone, and
the log line with EMF, authentication, `resolved_fields` and orjson on the real
answer. CPU time (time.process_time) per call, median of ROUNDS interleaved rounds of
COUNT calls each. Unlike cProfile, nothing here weighs Python calls more than C code;
the parts are measured apart, so their sum need not equal the whole.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.baselines import lambda_handler as hand
from bench.harness.dataset import TENANT_A, read_key
from bench.harness.lambda_event import (
    LambdaContext,
    gateway_handler,
    http_api_event,
    response_json,
)
from bench.harness.procinfo import print_sample
from bench.harness.queries import PRODUCT_PAGE, product_page_payload, product_page_variables
from bench.harness.report import quiet_stdout, restore_stdout
from bench.harness.stats import median

SIZES = (20, 100)
#: The attributes the page's Query and BatchGetItem read (the gateway's read plan).
LISTING_ATTRIBUTES = ("listingId", "title", "price", "sellerId", "productId", "createdAt")
SELLER_ATTRIBUTES = ("sellerId", "displayName")


def cpu_us(call: Callable[[], Any], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - started) * 1e6 / count


class Parts:
    """The gateway's parts, reached through its Lambda environment."""

    def __init__(self, key: str) -> None:
        from graph.lambdas.gateway import gateway

        self.env = gateway()
        runtime = self.env.runtime
        principal = runtime.authenticate(key)
        assert principal is not None
        self.key, self.principal, self.runtime = key, principal, runtime
        self.graph = runtime.graph_of(principal)
        self.schema = self.graph.schema(private=False)

    def run(self, coroutine: Any) -> Any:
        asyncio.set_event_loop(self.env.loop)
        return self.env.loop.run_until_complete(coroutine)

    async def execute(self, first: int) -> None:
        ctx = await self.graph.open(self.principal, request_id="layers")
        result = await self.schema.execute(
            PRODUCT_PAGE, variable_values=product_page_variables(first), context_value=ctx
        )
        if result.errors:
            raise RuntimeError(f"schema.execute: {result.errors}")

    async def calls(self, first: int) -> None:
        ctx = await self.graph.open(self.principal, request_id="layers")
        page = await ctx.store.listings.by_product(
            "prd-001", first=first, after=None, status=None, attributes=LISTING_ATTRIBUTES
        )
        ids = sorted({item["sellerId"] for item in page.items})
        await ctx.store.sellers.get_many(ids, attributes=SELLER_ATTRIBUTES)

    def log_line(self) -> None:
        from graph.http.state import request_state
        from graph.middleware.observability import request_record
        from graph.observability import RequestInfo, emit_metrics, logger
        from graph.store import StoreStats

        scope: dict[str, Any] = {"type": "http", "method": "POST", "path": "/graphql"}
        state = request_state(scope)
        state.request_id, state.principal, state.store_stats = "r", self.principal, StoreStats()
        info = RequestInfo(operation_type="query", cost=21)
        record = request_record(scope, info, 200, 5.0)
        logger.info("request", extra=record)
        emit_metrics(record)

    def refused(self, event: dict[str, Any], count: int) -> float:
        """CPU per invocation of the same event refused at the door: the bucket far in
        debt meanwhile (the tenant's own Lambda: no pause before the 429), full after."""
        bucket = self.graph.gate.bucket
        handler = gateway_handler()
        debt = 1000 * bucket.capacity
        bucket.debit(debt)
        try:
            response = handler(event, LambdaContext())
            if response.get("statusCode") != 429:
                raise RuntimeError(f"expected a 429: {str(response)[:200]}")
            return cpu_us(lambda: handler(event, LambdaContext()), count)
        finally:
            bucket.give_back(debt + bucket.capacity)


def round_of(
    parts: Parts, first: int, event: dict[str, Any], answer: Any, count: int
) -> list[tuple[str, Callable[[], float]]]:
    """One round's measurements at one page size: (name, CPU us per call)."""
    import orjson

    from graph.limits.extension import resolved_fields

    gateway, ctx = gateway_handler(), LambdaContext()

    def page() -> float:
        return cpu_us(lambda: gateway(event, ctx), count)

    def handwritten() -> float:
        return cpu_us(lambda: hand.handler(event, ctx), count)

    def execute() -> float:
        return cpu_us(lambda: parts.run(parts.execute(first)), count)

    def calls() -> float:
        return cpu_us(lambda: parts.run(parts.calls(first)), count)

    return [
        ("gateway page", page),
        ("hand-written, item parser", handwritten),
        ("refused at the door (envelope)", lambda: parts.refused(event, count)),
        ("schema.execute, fresh context", execute),
        ("the two DynamoDB calls (store)", calls),
        ("log line + EMF", lambda: cpu_us(parts.log_line, 5 * count)),
        ("authenticate", lambda: cpu_us(lambda: parts.runtime.authenticate(parts.key), 20 * count)),
        (
            "resolved_fields(data)",
            lambda: cpu_us(lambda: resolved_fields(answer["data"]), 5 * count),
        ),
        ("orjson.dumps(answer)", lambda: cpu_us(lambda: orjson.dumps(answer), 20 * count)),
    ]


def main(argv: list[str]) -> None:
    rounds, count = (int(a) for a in argv)
    os.environ["BENCH_HANDWRITTEN_CLIENT"] = "item-parser"  # read at its first invocation
    key = read_key(TENANT_A)
    gateway, ctx = gateway_handler(), LambdaContext()
    events = {n: http_api_event(product_page_payload(n), key) for n in SIZES}
    real_stdout = quiet_stdout()
    try:
        parts = Parts(key)
        answers = {n: response_json(gateway(event, ctx)) for n, event in events.items()}
        for n, event in events.items():
            if len(answers[n]["data"]["productListings"]["edges"]) != n:
                raise RuntimeError(f"the gateway's N={n} page is short")
            for _ in range(20):
                gateway(event, ctx)
                hand.handler(event, ctx)
        timings: dict[str, dict[str, list[float]]] = {f"N={n}": {} for n in SIZES}
        for round_no in range(rounds):
            for n, event in events.items():
                steps = round_of(parts, n, event, answers[n], count)
                if round_no % 2:
                    steps.reverse()
                for name, measure in steps:
                    timings[f"N={n}"].setdefault(name, []).append(measure())
    finally:
        restore_stdout(real_stdout)
    hand.close()
    print_sample(
        {size: {name: median(v) for name, v in found.items()} for size, found in timings.items()}
    )


if __name__ == "__main__":
    main(sys.argv[1:])
