"""Bench: a shop page (issue 28) through the gateway vs hand-written code on the same
indexes, and vs the same page answered by a Scan.

    shop(orderBy: PRICE_ASC, where: {size: {eq: "10"}}, first: 24) {
      edges { node { id title price { amount currency } seller { displayName } } }
      pageInfo { hasNextPage endCursor } }

Over 10,000 listings of one tenant (kicks' extension: `size` indexed), 300 sellers.
Variants, interleaved in every round, all in this one process on one event loop:
  gateway       the real app (create_app, its own lean client), called as ASGI with the
                request bytes: middleware, admission, Strawberry, planner, store; 4
                Queries on `shop_size_price` (one per shard) + 1 BatchGetItem of sellers
  hand-written  aioboto3 alone: the same 4 Queries (ProjectionExpression, Limit 25, all
                at once), merged by price, 1 BatchGetItem (projected), the same JSON bytes
                (stock aioboto3 parsing, as bench/baselines/endpoint.py)
  hand-written, item parser   the same code on a client with the gateway's item-read
                parser (informational: what is left of the ratio with parsing alike)
  scan          aioboto3: a Scan with FilterExpression (status and size) over the whole
                table (a Scan has no order), sorted by price, then the sellers
All answer the same ids and prices (checked before timing). p50: median of the rounds'
p50 wall times at concurrency 1; CPU: this process's CPU time per page (DynamoDB Local
runs in its own JVM, so its parsing and I/O are not counted). In one process, not the
uvicorn pair of product_page.py: the ratio compares the gateway's code with the
hand-written code's, not two servers; HTTP framing and the load generator cost neither.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from bench.baselines.shop import FIRST, hand_written, scanned
from bench.harness.env import BenchEnv
from bench.harness.graph_store import (
    IndexedField,
    TableNames,
    create_tables,
    open_dynamodb,
    physical_table_names,
    put_items,
    with_shop_attributes,
)
from bench.harness.progress import say
from bench.harness.results import Benchmark, BenchResult, Figure
from bench.harness.stats import median, run_async

NAME = "shop_page"
TITLE = "Shop page: 24 by price with a size filter, gateway vs hand-written vs Scan"
TENANT = "kicks"  # its extension declares `size` indexed
LISTINGS, SELLERS = 10_000, 300
SIZES = [Decimal(s) / 2 for s in range(14, 27)]  # 7 to 13
WANTED = Decimal(10)
GOAL = 1.3
#: The hand-written code on a client with the gateway's item-read parser
#: (graph/store/parser.py): what of the ratio is left with DynamoDB parsing alike.
PARSED = "hand-written, item parser"
QUERY = """query($first: Int!) {
  shop(orderBy: PRICE_ASC, where: {size: {eq: "10"}}, first: $first) {
    edges { node { id title price { amount currency } seller { displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
KEY_ID, SECRET = f"{TENANT}-bench-read", "kicksShopBenchSecret01"


def _data() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(28)
    cents = list(range(2000, 2000 + LISTINGS * 7, 7))
    rng.shuffle(cents)  # unique prices: the page's order has no ties
    sellers = [
        {"sellerId": f"sel-{n:04d}", "displayName": f"Seller {n}", "joinedAt": "2025-01-01"}
        for n in range(SELLERS)
    ]
    indexed = [IndexedField("size"), IndexedField("authenticity_grade", "PENDING")]
    listings = []
    for n in range(LISTINGS):
        status = "ACTIVE" if rng.random() < 0.8 else rng.choice(["SOLD", "DRAFT", "RESERVED"])
        item = {
            "listingId": f"lst-{n:05d}",
            "sellerId": f"sel-{rng.randrange(SELLERS):04d}",
            "productId": f"prd-{rng.randrange(200):03d}",
            "title": f"Pre-owned pair #{n}",
            "description": "Worn a few times, cleaned, in the original box. " * 3,
            "condition": rng.choice(["NEW_WITH_TAGS", "LIKE_NEW", "GOOD", "FAIR"]),
            "status": status,
            "price": {"amount": Decimal(cents[n]) / 100, "currency": "USD"},
            "images": [{"url": f"https://img.example.com/{n}.jpg", "width": 800}],
            "custom": {"size": rng.choice(SIZES), "colorway": "Bred"},
            "createdAt": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00.000+00:00",
            "updatedAt": "2026-12-01T00:00:00.000+00:00",
            "version": 1,
        }
        listings.append(with_shop_attributes(item, indexed))
    return listings, sellers


def _body(nodes: list[dict[str, Any]]) -> bytes:
    """What a hand-written endpoint sends: the page as GraphQL's JSON response."""
    page = {"data": {"shop": {"edges": [{"node": node} for node in nodes]}}}
    return json.dumps(page, separators=(",", ":")).encode()


def _nodes(body: bytes) -> list[dict[str, Any]]:
    return [edge["node"] for edge in json.loads(body)["data"]["shop"]["edges"]]


async def _asgi_post(app: Any, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    """One POST straight into the ASGI app (no HTTP client: its cost is not the gateway's)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


async def _main(env: BenchEnv, endpoint: str) -> dict[str, list[dict[str, float]]]:
    from graph.app import create_app
    from graph.registry.tenants import ApiKeyConfig, Registry, Tenant, TenantConfig, hash_secret
    from graph.settings import Settings
    from graph.tenancy.runtime import Runtime

    # A Scan's 1 MB pages take DynamoDB Local seconds on a busy machine: no read timeout.
    settings = Settings(stage="test", dynamodb_endpoint=endpoint, dynamodb_read_timeout=60.0)
    key = ApiKeyConfig(id=KEY_ID, sha256=hash_secret(SECRET), scopes=frozenset({"read"}))
    names = {k: f"shop-{v}" for k, v in physical_table_names("test", TENANT).items()}
    tenant = Tenant(
        TenantConfig(id=TENANT, name="Kicks", keys=(key,)), TableNames.from_mapping(names)
    )
    listings, sellers = _data()
    # The hand-written code's client: stock aioboto3 parsing, as bench/baselines/endpoint.py.
    # The gateway opens its own, as it does in production (lean, with its item parser).
    async with (
        open_dynamodb(settings, item_parser=False) as ddb,
        open_dynamodb(settings, item_parser=True) as parsed,
    ):
        indexed = [IndexedField("size"), IndexedField("authenticity_grade", "PENDING")]
        outcome = await create_tables(ddb, tenant.tables, indexed=indexed)
        if "created" in outcome.values():
            say(f"  loading {LISTINGS} listings and {SELLERS} sellers")
            await put_items(ddb, tenant.tables.sellers, sellers)
            await put_items(ddb, tenant.tables.listings, listings)
        runtime = Runtime(settings, Registry([tenant], "test"))
        app = create_app(runtime=runtime, manage_client=False)
        request = json.dumps({"query": QUERY, "variables": {"first": FIRST}}).encode()
        headers = [
            (b"x-api-key", f"rg_{KEY_ID}_{SECRET}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(request)).encode()),
        ]

        async def gateway() -> bytes:
            return await _asgi_post(app, "/graphql", headers, request)

        async def by_hand() -> bytes:
            return _body(await hand_written(ddb, tenant.tables))

        async def by_hand_parsed() -> bytes:
            return _body(await hand_written(parsed, tenant.tables))

        async def by_scan() -> bytes:
            return _body(await scanned(ddb, tenant.tables))

        variants: dict[str, Callable[[], Awaitable[bytes]]] = {
            "gateway": gateway,
            "hand-written": by_hand,
            PARSED: by_hand_parsed,
            "scan": by_scan,
        }
        try:
            answers = {name: _nodes(await run()) for name, run in variants.items()}
            for name, answer in answers.items():
                if answer != answers["scan"] or len(answer) != FIRST:
                    raise RuntimeError(f"{name} answers another page than the Scan: {answer[:2]}")
            say(f"  checked: every variant answers the same {FIRST} listings")
            budget = env.budget
            pages = max(20, budget.latency_requests // 2)
            count = {name: pages for name in variants}
            count["scan"] = max(3, pages // 50)
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
            for round_no in range(budget.rounds):
                shift = round_no % len(variants)
                order = list(variants)[shift:] + list(variants)[:shift]
                for name in order:
                    for _ in range(1 if name == "scan" else 10):  # warm-up
                        await variants[name]()
                    walls = []
                    cpu0 = time.process_time()
                    for _ in range(count[name]):
                        start = time.perf_counter()
                        await variants[name]()
                        walls.append((time.perf_counter() - start) * 1000)
                    cpu = (time.process_time() - cpu0) * 1000 / count[name]
                    rounds[name].append({"p50": median(walls), "cpu": cpu, "n": count[name]})
                say(
                    f"  round {round_no + 1}/{budget.rounds}: "
                    + ", ".join(f"{n} p50 {rounds[n][-1]['p50']:.2f} ms" for n in variants)
                )
        finally:
            await runtime.aclose()
    return rounds


def run(env: BenchEnv) -> BenchResult:
    endpoint = env.dynamodb_endpoint  # starts DynamoDB Local (its own event loop) first
    rounds = run_async(_main(env, endpoint))
    result = BenchResult(NAME, TITLE)
    p50 = {name: median([r["p50"] for r in rows]) for name, rows in rounds.items()}
    cpu = {name: median([r["cpu"] for r in rows]) for name, rows in rounds.items()}
    pages = {name: int(sum(r["n"] for r in rows)) for name, rows in rounds.items()}
    result.details.update(
        {
            name: {"p50": p50[name], "cpu_ms_per_request": cpu[name], "rounds": rows}
            for name, rows in rounds.items()
        }
    )
    for found, label in ((p50, "p50 latency, c=1"), (cpu, "CPU per page")):
        result.figures.append(
            Figure(
                metric=f"shop page N={FIRST} by price, size filter: {label}",
                value=found["gateway"],
                unit="ms",
                baseline=found["hand-written"],
                baseline_label="hand-written, same indexes",
                samples=pages["gateway"],
                goal=f"issue 28: shop page {label}",
                ratio_goal=GOAL,
            )
        )
        result.figures.append(
            Figure(
                metric=f"shop page N={FIRST} by price, size filter: {label}, parsing alike",
                value=found["gateway"],
                unit="ms",
                baseline=found[PARSED],
                baseline_label=PARSED,
                samples=pages["gateway"],
            )
        )
        result.figures.append(
            Figure(
                metric=f"shop page N={FIRST} by price, size filter: {label} vs a Scan",
                value=found["gateway"],
                unit="ms",
                baseline=found["scan"],
                baseline_label="Scan with a filter",
                samples=pages["scan"],
                note="what the indexes buy",
            )
        )
    return result


BENCHMARK = Benchmark(NAME, TITLE, run)
