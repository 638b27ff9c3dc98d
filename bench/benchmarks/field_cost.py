"""Bench 3: execution cost per resolved field, Strawberry vs bare graphql-core.

Both execute the product-page query over the same in-memory items (the dataset,
round-tripped through the DynamoDB wire format, so numbers are Decimals as the store
returns them); no I/O, no HTTP. Each execution parses, validates and executes.

  strawberry   graph.schema.build_schema() via schema.execute(), with a Context whose
               store and loaders answer from memory (resolvers, types and extensions
               are the real ones); "as served" adds what the gateway adds per tenant:
               the tenant graph's schema (limit extensions) and the real DataLoaders
  graphql-core a bare schema of the same shape whose resolvers read the items directly
               (async root and seller resolvers, like the real ones)

Resolved fields are counted exactly by walking the result (every key of every object;
both answers must be equal). Figures: median over interleaved repeats of the CPU time
per execution (this process's own, so other load on the machine counts less) divided
by the field count; wall-clock figures are in the JSON.
"""

from __future__ import annotations

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

from bench.harness.dataset import STAGE, TENANT_A
from bench.harness.env import BenchEnv
from bench.harness.memory import Item, MemoryData, MemoryLoader, MemoryStore, request_context
from bench.harness.progress import say
from bench.harness.queries import PRODUCT_PAGE_IMAGES, product_page_variables
from bench.harness.results import Benchmark, BenchResult, Figure
from bench.harness.stats import Execute, count_fields, median, run_async, time_execution
from bench.harness.tenants import bench_tenant, offline_settings

TARGET_US_PER_FIELD = 10.0
SIZES = (20, 100)


# -- the two executors -------------------------------------------------------------------


def strawberry_executor(data: MemoryData, first: int, *, as_served: bool) -> Execute:
    """`as_served=False`: `build_schema()` with in-memory loaders (Strawberry alone).
    `as_served=True`: the schema the gateway serves a tenant (`TenantGraph.schema`, with
    the tenant's limit extensions) and the real per-request DataLoaders."""
    from bench.harness.graph_store import TenantStore
    from graph.loaders import Loaders, build_loaders
    from graph.registry.tenants import Principal, Registry
    from graph.tenancy.runtime import Runtime
    from graph.tenant_schema.build import build_schema

    tenant = bench_tenant(TENANT_A, "read")
    runtime = Runtime(offline_settings(), Registry([tenant], STAGE))
    schema = runtime.graph_for(tenant).schema(private=False) if as_served else build_schema()
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
            PRODUCT_PAGE_IMAGES, variable_values=variables, context_value=context
        )
        if result.errors:
            raise RuntimeError(f"strawberry: {result.errors}")
        return result.data

    return execute


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
            schema, PRODUCT_PAGE_IMAGES, variable_values=variables, context_value=context
        )
        if result.errors:
            raise RuntimeError(f"graphql-core: {result.errors}")
        return result.data

    return execute


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
                cpu_s, wall_s = await time_execution(ex, env.budget.field_cost_seconds)
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
    found = run_async(_measure(env))
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
        "TenantGraph.schema(private=False) (+ the tenant's limit extensions) with the real "
        "per-request DataLoaders over an in-memory store."
    )
    return result


NAME = "field_cost"
TITLE = "Execution cost per resolved field: Strawberry (real schema) vs bare graphql-core"
BENCHMARK = Benchmark(NAME, TITLE, run)
