"""Bench 3: execution cost per resolved field, Strawberry vs bare graphql-core.

Both execute the product-page query over the same in-memory items (the dataset,
round-tripped through the DynamoDB wire format, so numbers are Decimals as the store
returns them); no I/O, no HTTP. Each execution parses, validates and executes.

  strawberry   graph.schema.build_schema() via schema.execute(), with a Context whose
               store and loaders answer from memory (resolvers, types and extensions
               are the real ones); "as served" adds what the gateway adds per tenant:
               Runtime.schema_for()'s limit extensions and the real DataLoaders
  graphql-core a bare schema of the same shape whose resolvers read the items directly
               (async root and seller resolvers, like the real ones)

Resolved fields are counted exactly by walking the result (every key of every object;
both answers must be equal). Figures: median over interleaved repeats of the CPU time
per execution (this process's own, so other load on the machine counts less) divided
by the field count; wall-clock figures are in the JSON.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    graphql,
)

from bench.common import Benchmark, BenchResult, Figure, median, say
from bench.dataset import PRODUCT_PAGE, TENANT_A, dataset, product_page_variables
from bench.env import BenchEnv

TARGET_US_PER_FIELD = 10.0
SIZES = (20, 100)
Item = dict[str, Any]


# -- in-memory data, store and loaders ---------------------------------------------------


class MemoryData:
    def __init__(self, tenant_id: str) -> None:
        from graph.store import from_wire, to_wire

        data = dataset(tenant_id)
        self.listings = {i["listingId"]: from_wire(to_wire(i)) for i in data["listings"]}
        self.sellers = {s["sellerId"]: from_wire(to_wire(s)) for s in data["sellers"]}
        self.by_product: dict[str, list[Item]] = {}
        self.by_seller: dict[str, list[Item]] = {}
        for item in sorted(self.listings.values(), key=_newest_first):
            self.by_product.setdefault(item["productId"], []).append(item)
            self.by_seller.setdefault(item["sellerId"], []).append(item)


def _newest_first(item: Item) -> tuple[str, str]:
    created, listing_id = item["createdAt"], item["listingId"]
    return (_invert(created), _invert(listing_id))


def _invert(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


class _MemoryTable:
    """One repository of TenantStore (`store.listings`, `store.sellers`), in memory."""

    def __init__(self, items: dict[str, Item], pages: dict[str, dict[str, list[Item]]]):
        self.items = items
        self.pages = pages

    # Filters (`status`, `after`, `where`, ...) are not used by the benchmarked query.
    async def by_product(self, product_id: str, *, first: int, **_: Any) -> Any:
        return self._page(self.pages["byProduct"].get(product_id, []), first)

    async def by_seller(self, seller_id: str, *, first: int, **_: Any) -> Any:
        return self._page(self.pages["bySeller"].get(seller_id, []), first)

    def _page(self, items: list[Item], first: int) -> Any:
        from graph.store import Page

        page = items[:first]
        return Page(page, [f"cursor-{i['listingId']}" for i in page], len(items) > first)

    async def get_many(self, ids: Sequence[str], **_: Any) -> dict[str, Item]:
        return {i: self.items[i] for i in ids if i in self.items}

    async def get(self, key: str, **_: Any) -> Item | None:
        return self.items.get(key)


class MemoryStore:
    """The part of TenantStore the read resolvers use, answering from memory."""

    def __init__(self, data: MemoryData) -> None:
        self.data = data
        pages = {"byProduct": data.by_product, "bySeller": data.by_seller}
        self.listings = _MemoryTable(data.listings, pages)
        self.sellers = _MemoryTable(data.sellers, {"byProduct": {}, "bySeller": {}})


class MemoryLoader:
    """A loader (graph.loaders.Loader) that answers from a dict: no batching overhead."""

    def __init__(self, items: dict[str, Item]) -> None:
        self.items = items

    async def load(self, key: str) -> Item | None:
        return self.items.get(key)

    async def load_many(self, keys: Sequence[str]) -> list[Item | None]:
        return [self.items.get(k) for k in keys]

    def prime(self, key: str, value: Item | None) -> None:
        return None

    def clear(self, key: str) -> None:
        return None


# -- the two executors -------------------------------------------------------------------

Execute = Callable[[], Awaitable[Any]]


def strawberry_executor(data: MemoryData, first: int, *, as_served: bool) -> Execute:
    """`as_served=False`: `build_schema()` with in-memory loaders (Strawberry alone).
    `as_served=True`: the schema the gateway serves a tenant (`Runtime.schema_for`, with
    the tenant's limit extensions) and the real per-request DataLoaders."""
    from graph.loaders import Loaders, build_loaders
    from graph.runtime import Runtime
    from graph.schema import build_schema
    from graph.settings import Settings
    from graph.store import TableNames, TenantStore, physical_table_names
    from graph.tenancy import ApiKeyConfig, Principal, Registry, Tenant, TenantConfig

    config = TenantConfig(
        id=TENANT_A,
        name="bench",
        keys=(ApiKeyConfig(id="bench-a-read", sha256="0" * 64, scopes=frozenset({"read"})),),
    )
    tenant = Tenant(config, TableNames.from_mapping(physical_table_names("test", TENANT_A)))
    settings = Settings(stage="test", dynamodb_endpoint="http://127.0.0.1:9")
    runtime = Runtime(settings, Registry([tenant], "test"))
    schema = runtime.schema_for(tenant) if as_served else build_schema()
    principal = Principal(tenant=tenant, key_id="bench-a-read", scopes=frozenset({"read"}))
    store = cast(TenantStore, MemoryStore(data))
    variables = product_page_variables(first)

    async def execute() -> Any:
        if as_served:
            loaders = build_loaders(store)
        else:
            loaders = Loaders(
                listings=MemoryLoader(data.listings), sellers=MemoryLoader(data.sellers)
            )
        context = request_context(runtime, principal, store, loaders)
        result = await schema.execute(
            PRODUCT_PAGE, variable_values=variables, context_value=context
        )
        if result.errors:
            raise RuntimeError(f"strawberry: {result.errors}")
        return result.data

    return execute


def request_context(runtime: Any, principal: Any, store: Any, loaders: Any) -> Any:
    """A `graph.context.Context` as graph/endpoint.py builds one per request (the fields
    it has grown since are filled the way the endpoint fills them)."""
    from graph.context import Context

    names = {f.name for f in dataclasses.fields(Context)}
    fields: dict[str, Any] = {
        "request_id": "bench",
        "principal": principal,
        "store": store,
        "loaders": loaders,
    }
    if "extension" in names:  # per-tenant custom fields (graph/extensions)
        fields["extension"] = runtime.extension_for(principal.tenant)
    return Context(**fields)


def bare_schema() -> GraphQLSchema:
    def string(name: str) -> GraphQLField:
        return GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda s, _i: s[name])

    money = GraphQLObjectType(
        "Money",
        {
            "amount": GraphQLField(
                GraphQLNonNull(GraphQLString), resolve=lambda p, _i: str(p["amount"])
            ),
            "currency": string("currency"),
        },
    )
    image = GraphQLObjectType("Image", {"url": string("url")})
    seller = GraphQLObjectType("Seller", {"displayName": string("displayName")})

    async def resolve_seller(listing: Item, info: GraphQLResolveInfo[Any]) -> Item | None:
        loader: MemoryLoader = info.context["sellers"]
        return await loader.load(listing["sellerId"])

    listing = GraphQLObjectType(
        "Listing",
        {
            "id": GraphQLField(GraphQLNonNull(GraphQLID), resolve=lambda i, _i: i["listingId"]),
            "title": string("title"),
            "price": GraphQLField(GraphQLNonNull(money), resolve=lambda i, _i: i["price"]),
            "images": GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(image))),
                resolve=lambda i, _i: i.get("images", []),
            ),
            "seller": GraphQLField(seller, resolve=resolve_seller),
        },
    )
    edge = GraphQLObjectType(
        "ListingEdge",
        {"cursor": string("cursor"), "node": GraphQLField(GraphQLNonNull(listing))},
    )
    connection = GraphQLObjectType(
        "ListingConnection", {"edges": GraphQLField(GraphQLNonNull(GraphQLList(edge)))}
    )

    async def resolve_page(
        _root: Any, info: GraphQLResolveInfo[Any], productId: str, first: int = 20
    ) -> dict[str, Any]:
        store: MemoryStore = info.context["store"]
        page = await store.listings.by_product(productId, first=first)
        return {
            "edges": [
                {"cursor": c, "node": i} for i, c in zip(page.items, page.cursors, strict=True)
            ]
        }

    query = GraphQLObjectType(
        "Query",
        {
            "productListings": GraphQLField(
                GraphQLNonNull(connection),
                args={
                    "productId": GraphQLArgument(GraphQLNonNull(GraphQLID)),
                    "first": GraphQLArgument(GraphQLInt),
                },
                resolve=resolve_page,
            )
        },
    )
    return GraphQLSchema(query=query)


def graphql_core_executor(data: MemoryData, first: int) -> Execute:
    schema = bare_schema()
    store = MemoryStore(data)
    variables = product_page_variables(first)

    async def execute() -> Any:
        context = {"store": store, "sellers": MemoryLoader(data.sellers)}
        result = await graphql(
            schema, PRODUCT_PAGE, variable_values=variables, context_value=context
        )
        if result.errors:
            raise RuntimeError(f"graphql-core: {result.errors}")
        return result.data

    return execute


def count_fields(value: Any) -> int:
    """Every key of every object in the result is one resolved field."""
    if isinstance(value, dict):
        return len(value) + sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 0


async def _time(execute: Execute, seconds: float) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per execution, over about `seconds` of back-to-back
    executions. CPU time is this process's own (time.process_time): it does not count
    time spent descheduled while other processes run, so it is the figure used."""
    runs = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    while True:
        await execute()
        runs += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and runs >= 5:
            return (time.process_time() - cpu_started) / runs, elapsed / runs


async def _measure(env: BenchEnv) -> dict[str, Any]:
    data = MemoryData(TENANT_A)
    found: dict[str, Any] = {}
    for first in SIZES:
        executors = {
            "strawberry": strawberry_executor(data, first, as_served=False),
            "strawberry as served": strawberry_executor(data, first, as_served=True),
            "graphql-core": graphql_core_executor(data, first),
        }
        answers = {name: await ex() for name, ex in executors.items()}
        reference = answers["graphql-core"]
        for name, answer in answers.items():
            if answer != reference:
                raise RuntimeError(f"{name} answered differently from graphql-core (N={first})")
        fields = count_fields(reference)
        for ex in executors.values():  # warm-up
            for _ in range(5):
                await ex()
        cpu: dict[str, list[float]] = {name: [] for name in executors}
        wall: dict[str, list[float]] = {name: [] for name in executors}
        for _ in range(env.budget.field_cost_repeats):
            for name, ex in executors.items():
                cpu_s, wall_s = await _time(ex, env.budget.field_cost_seconds)
                cpu[name].append(cpu_s)
                wall[name].append(wall_s)
        found[f"N={first}"] = {
            "fields": fields,
            "cpu_seconds_per_execution": {n: [round(v, 7) for v in r] for n, r in cpu.items()},
            "wall_seconds_per_execution": {n: [round(v, 7) for v in r] for n, r in wall.items()},
            "us_per_field": {n: median(r) / fields * 1e6 for n, r in cpu.items()},
            "us_per_field_wall": {n: median(r) / fields * 1e6 for n, r in wall.items()},
        }
        say(
            f"  N={first}: {fields} fields; µs/field "
            + ", ".join(f"{n} {v:.2f}" for n, v in found[f"N={first}"]["us_per_field"].items())
        )
    return found


def run(env: BenchEnv) -> BenchResult:
    result = BenchResult(NAME, TITLE)
    try:
        import uvloop

        found = uvloop.run(_measure(env))
    except ImportError:  # pragma: no cover
        found = asyncio.run(_measure(env))
    result.details = found
    for first in SIZES:
        row = found[f"N={first}"]
        us = row["us_per_field"]
        result.figures.append(
            Figure(
                f"product page N={first} ({row['fields']} fields): strawberry",
                us["strawberry"],
                "µs/field",
                us["graphql-core"],
                "graphql-core",
                target=TARGET_US_PER_FIELD,
            )
        )
        result.figures.append(
            Figure(
                f"product page N={first}: strawberry as served",
                us["strawberry as served"],
                "µs/field",
                us["graphql-core"],
                "graphql-core",
            )
        )
    result.notes.append(
        "per execution = parse + validate + execute, in-process on uvloop, no I/O; "
        "µs/field = median CPU time (process_time) per execution / resolved fields "
        "(counted in the result); wall-clock figures are in the JSON."
    )
    result.notes.append(
        "strawberry = graph.schema.build_schema() with in-memory loaders; as served = "
        "Runtime.schema_for(tenant) (+ the tenant's limit extensions) with the real "
        "per-request DataLoaders over an in-memory store."
    )
    return result


NAME = "field_cost"
TITLE = "Execution cost per resolved field: Strawberry (real schema) vs bare graphql-core"
BENCHMARK = Benchmark(NAME, TITLE, run)
