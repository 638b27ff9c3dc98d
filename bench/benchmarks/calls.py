"""Bench 2: DynamoDB calls and sequential waves per representative operation.

In-process: the app over httpx's ASGITransport, with a DynamoDB client we own, counted
through botocore event hooks (`before-call.dynamodb` / `after-call.dynamodb`). A wave
is a call started while no other call is in flight, so N waves = N round trips one
after the other. Baseline: the same data fetched by hand (bench/baselines/handwritten.py) in the
fewest calls, counted by the same hooks; second baseline: DataLoaders off.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.baselines import handwritten
from bench.harness import goals
from bench.harness.dataset import STAGE, TENANT_A, dataset, listing_ids, read_key
from bench.harness.env import BenchEnv
from bench.harness.progress import say
from bench.harness.queries import (
    LISTINGS_BY_IDS,
    PRODUCT_ID,
    PRODUCT_PAGE_IMAGES,
    SELLER_ID,
    SELLER_WITH_LISTINGS,
    product_page_variables,
)
from bench.harness.results import Benchmark, BenchResult, Figure

REPEATS = 3


@dataclass
class CallCounter:
    operations: list[str] = field(default_factory=list)
    waves: int = 0
    in_flight: int = 0

    def before(self, model: Any, **_: Any) -> None:
        if self.in_flight == 0:
            self.waves += 1
        self.in_flight += 1
        self.operations.append(str(model.name))

    def after(self, **_: Any) -> None:
        self.in_flight -= 1

    def reset(self) -> None:
        self.operations.clear()
        self.waves = 0
        self.in_flight = 0

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-call.dynamodb", self.before, unique_id="bench-before")
        events.register("after-call.dynamodb", self.after, unique_id="bench-after")
        events.register("after-call-error.dynamodb", self.after, unique_id="bench-after-err")


@dataclass(frozen=True)
class Operation:
    name: str
    query: str
    variables: dict[str, Any]
    #: Checks the answer is the full, error-free data (so a count is never of a failure).
    check: Callable[[Any], bool]
    by_hand: Callable[[Any, str, str], Awaitable[bytes]]
    target_calls: int | None = None
    target_waves: int | None = None
    #: The issue goal the waves figure is (bench/harness/goals.py), if any.
    goal_waves: str = ""


def _operations() -> list[Operation]:
    ids = listing_ids(100)
    owned = sum(1 for i in dataset(TENANT_A)["listings"] if i["sellerId"] == SELLER_ID)
    return [
        Operation(
            "product page N=50 + sellers",
            PRODUCT_PAGE_IMAGES,
            product_page_variables(50),
            lambda d: (
                len(d["productListings"]["edges"]) == 50
                and all(e["node"]["seller"] for e in d["productListings"]["edges"])
            ),
            lambda c, lt, st: handwritten.product_page_images(c, lt, st, PRODUCT_ID, 50),
            target_calls=2,
            target_waves=2,
        ),
        Operation(
            "seller + listings(first: 20)",
            SELLER_WITH_LISTINGS,
            {"id": SELLER_ID},
            lambda d: len(d["seller"]["listings"]["edges"]) == min(20, owned),
            lambda c, lt, st: handwritten.seller_page(c, lt, st, SELLER_ID, 20),
            target_waves=1,
            goal_waves=goals.SELLER_WAVES,
        ),
        Operation(
            "listings(ids: 100) + sellers",
            LISTINGS_BY_IDS,
            {"ids": ids},
            lambda d: [x["id"] for x in d["listings"]] == ids,
            lambda c, lt, st: handwritten.listings_by_ids(c, lt, st, ids),
        ),
    ]


async def _measure(env: BenchEnv) -> tuple[dict[str, dict[str, Any]], list[str]]:
    from bench.harness.graph_store import open_dynamodb
    from graph.app import create_app
    from graph.registry.tenants import load_registry
    from graph.settings import Settings
    from graph.tenancy.runtime import Runtime

    # This counts calls and times nothing: loaders off makes 200 GetItems, up to 100 at
    # once, which a busy DynamoDB Local may not answer within the default 5 s request
    # deadline and 2 s read timeout (tests/schema/test_reads.py does the same).
    settings = Settings(
        stage=STAGE,
        dynamodb_endpoint=env.dynamodb_endpoint,
        request_deadline_seconds=120.0,
        dynamodb_read_timeout=30.0,
    )
    registry = load_registry(env.tenants_dir, STAGE)
    tables = env.tables(TENANT_A)
    counter = CallCounter()
    found: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    async with open_dynamodb(settings) as client:
        counter.attach(client)
        for op in _operations():
            row: dict[str, Any] = {}
            for label, batching in (("gateway", True), ("loaders off", False)):
                runtime = Runtime(settings, registry, batching=batching, client=client)
                app = create_app(runtime=runtime, manage_client=False)
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                    samples = []
                    for attempt in range(REPEATS + 1):  # the first one builds the schema
                        counter.reset()
                        response = await http.post(
                            "/graphql",
                            json={"query": op.query, "variables": op.variables},
                            headers={"x-api-key": read_key(TENANT_A)},
                        )
                        body = response.json()
                        if "errors" in body or not op.check(body["data"]):
                            problems.append(f"{label} {op.name}: unexpected answer {body}"[:600])
                            break
                        if attempt:
                            samples.append((len(counter.operations), counter.waves))
                            row[label] = {
                                "calls": len(counter.operations),
                                "waves": counter.waves,
                                "operations": _histogram(counter.operations),
                            }
                    if len(set(samples)) > 1:
                        problems.append(f"{label} {op.name}: counts varied: {samples}")
            if problems:
                break
            counter.reset()
            raw = await op.by_hand(client, tables.listings, tables.sellers)
            if not op.check(json.loads(raw)["data"]):
                problems.append(f"hand-written {op.name}: unexpected answer")
            row["hand-written"] = {
                "calls": len(counter.operations),
                "waves": counter.waves,
                "operations": _histogram(counter.operations),
            }
            found[op.name] = row
            say(
                f"  {op.name}: gateway {row['gateway']['calls']} calls / "
                f"{row['gateway']['waves']} waves; hand-written {row['hand-written']['calls']} "
                f"/ {row['hand-written']['waves']}; loaders off {row['loaders off']['calls']} / "
                f"{row['loaders off']['waves']}"
            )
    return found, problems


def _histogram(operations: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in operations:
        counts[name] = counts.get(name, 0) + 1
    return counts


def run(env: BenchEnv) -> BenchResult:
    result = BenchResult(NAME, TITLE)
    env.ensure_data()
    found, problems = asyncio.run(_measure(env))
    if problems:
        raise RuntimeError("; ".join(problems))
    result.details = found
    targets = {op.name: op for op in _operations()}
    for name, row in found.items():
        op = targets[name]
        gw, hand, off = row["gateway"], row["hand-written"], row["loaders off"]
        for key, target in (("calls", op.target_calls), ("waves", op.target_waves)):
            result.figures.append(
                Figure(
                    f"{name}: {key}",
                    gw[key],
                    key,
                    hand[key],
                    "by hand (fewest)",
                    target=target,
                    goal=op.goal_waves if key == "waves" else "",
                )
            )
        result.figures.append(
            Figure(f"{name}: calls", gw["calls"], "calls", off["calls"], "loaders off")
        )
    result.notes.append(
        "counts are exact (botocore hooks), the same in each of "
        f"{REPEATS} repeats; a wave is a call started while none was in flight."
    )
    return result


NAME = "calls"
TITLE = "DynamoDB calls and sequential waves per operation (in-process)"
BENCHMARK = Benchmark(NAME, TITLE, run)
