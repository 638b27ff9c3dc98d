"""Cost bounds reads (issue 30): for every root field of each demo tenant's schema, built
from introspection with every argument it takes (filters and `where` included), the
estimate is at least the settled cost, and the settled cost at least the DynamoDB calls
made; a read key's cost extension does not depend on the size of private fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.utils.str_converters import to_camel_case

from graph.bounds import FILTERED_PAGE_MAX_CALLS
from graph.extensions import load_extension
from graph.extensions.spec import FieldSpec
from graph.registry.tenants import Limits
from graph.settings import Settings
from tests.conftest import CallRecorder, Gateway, open_gateway, open_photos_gateway

DEMO_TENANTS = ("kicks", "threads")
IDS = ["lst-0001", "lst-0002", "prd-001", "prd-002", "sel-001", "sel-002", "nope"]
INSTANTS = ["2020-01-01T00:00:00Z", "2026-12-01T00:00:00Z", "2999-01-01T00:00:00Z"]
#: Values that pass validation, for input fields whose name says what they hold (with
#: one that does not), so that drawn writes get past validation to their DynamoDB calls.
NAMED = {
    "sellerId": ["sel-001", "sel-002", "nope"],
    "productId": ["prd-001", "prd-002"],
    "currency": ["USD", "EUR", "XXX"],
    "contentType": ["image/jpeg", "image/webp", "text/plain"],
    "url": ["https://img.example.com/a.jpg"],
    "uploadId": ["upl-000000000000000000000001", "upl-000000000000000000000002"],
}
#: No bucket or cost limit gets in the way of the measure.
ROOMY = Limits(max_cost=1_000_000, cost_per_second=1e9, cost_burst=1e9, max_depth=20)


def _quoted(value: str) -> str:
    return json.dumps(value)


def where_values(spec: FieldSpec) -> st.SearchStrategy[str]:
    """A valid `where` condition on one filterable custom field, as a GraphQL literal."""
    kind = str(spec.type)
    if kind.endswith("enum") or spec.values:
        values = st.sampled_from(spec.values)
        return st.one_of(
            values.map(lambda v: f"{{eq: {_quoted(v)}}}"),
            st.lists(values, min_size=1, max_size=3).map(
                lambda vs: "{in: [" + ", ".join(map(_quoted, vs)) + "]}"
            ),
        )
    if "Decimal" in kind or "Int" in kind or "Float" in kind:
        low = int(spec.min) if spec.min is not None else 0
        high = int(spec.max) if spec.max is not None else 100
        return st.tuples(
            st.sampled_from(["gte", "lte", "eq", "gt", "lt"]), st.integers(low, high)
        ).map(lambda pair: f"{{{pair[0]}: {pair[1]}}}")
    if "DateTime" in kind:
        return st.tuples(st.sampled_from(["gte", "lt"]), st.sampled_from(INSTANTS)).map(
            lambda pair: f"{{{pair[0]}: {_quoted(pair[1])}}}"
        )
    if "Boolean" in kind:
        return st.booleans().map(lambda b: f"{{eq: {str(b).lower()}}}")
    return st.sampled_from(["M", "10", "XS"]).map(lambda v: f"{{eq: {_quoted(v)}}}")


def where_strategy(tenant: str, settings: Settings) -> st.SearchStrategy[str]:
    fields = load_extension(settings.tenants_dir, tenant).fields("listing", private=False)
    filterable = {name: spec for name, spec in fields.items() if spec.filterable}
    if not filterable:
        return st.just("{}")
    entries = [
        where_values(spec).map(lambda v, n=name: f"{to_camel_case(n)}: {v}")
        for name, spec in sorted(filterable.items())
    ]
    return st.lists(st.one_of(entries), min_size=0, max_size=2).map(
        lambda parts: "{" + ", ".join(parts) + "}"
    )


def value_of(
    draw: Any, name: str, kind: GraphQLInputType, where: st.SearchStrategy[str]
) -> str | None:
    """A valid literal for an argument or input field (None: leave it out)."""
    if isinstance(kind, GraphQLNonNull):
        return _required(draw, name, kind.of_type, where)
    if not draw(st.booleans()):
        return None
    return _required(draw, name, kind, where)


def _required(draw: Any, name: str, kind: Any, where: st.SearchStrategy[str]) -> str:
    if isinstance(kind, GraphQLNonNull):
        return _required(draw, name, kind.of_type, where)
    if isinstance(kind, GraphQLList):
        items = draw(st.integers(1, 3))
        return (
            "[" + ", ".join(_required(draw, name, kind.of_type, where) for _ in range(items)) + "]"
        )
    if isinstance(kind, GraphQLEnumType):
        return str(draw(st.sampled_from(sorted(kind.values))))
    if isinstance(kind, GraphQLInputObjectType):
        parts = []
        for field_name, field in kind.fields.items():
            literal = value_of(draw, field_name, field.type, where)
            if literal is not None:
                parts.append(f"{field_name}: {literal}")
        return "{" + ", ".join(parts) + "}"
    scalar = kind.name
    if name == "first":
        return str(draw(st.integers(1, 3)))
    if name == "where" or scalar == "JSON":
        return str(draw(where))
    if name in NAMED:
        return _quoted(draw(st.sampled_from(NAMED[name])))
    if scalar == "ID":
        return _quoted(draw(st.sampled_from(IDS)))
    if scalar == "DateTime":
        return _quoted(draw(st.sampled_from(INSTANTS)))
    if scalar == "Decimal":
        return _quoted(draw(st.sampled_from(["0", "40", "150.50", "1000"])))
    if scalar == "Int":
        return str(draw(st.integers(1, 3)))
    if scalar == "Boolean":
        return str(draw(st.booleans())).lower()
    return _quoted(draw(st.sampled_from(["kicks-test-admin", "kicks-test-write", "nobody"])))


def selection(draw: Any, kind: GraphQLObjectType, depth: int, where: Any) -> str:
    """Every leaf field of `kind`, and its object fields (with drawn arguments) down to
    `depth` levels."""
    parts = []
    for name, field in kind.fields.items():
        named = get_named_type(field.type)
        if any(
            isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
            for arg in field.args.values()
        ):
            continue  # an argument this draw cannot leave out (ids, a key)
        if is_leaf_type(named):
            parts.append(name)  # JSON and list custom values included
            continue
        if depth <= 0 or not isinstance(named, GraphQLObjectType):
            continue
        # Lists without `first`/`ids` always (issue 30: images, photos, an entry's
        # changes, facets and their values, a connection's edges); other objects drawn.
        if _unpaged_list(field) or draw(st.booleans()):
            parts.append(field_literal(draw, name, field, depth - 1, where))
    return "{ " + (" ".join(parts) or "__typename") + " }"


def _unpaged_list(field: Any) -> bool:
    kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(kind, GraphQLList) and not ({"first", "ids"} & set(field.args))


def field_literal(
    draw: Any, name: str, field: Any, depth: int, where: Any, *, bare: bool = False
) -> str:
    """`name(arguments) { selection }`; `bare`: the selection is `__typename` only."""
    arguments = []
    for arg_name, argument in field.args.items():
        if arg_name == "after":
            continue
        literal = value_of(draw, arg_name, argument.type, where)
        if literal is not None:
            arguments.append(f"{arg_name}: {literal}")
    named = get_named_type(field.type)
    sub = selection(draw, named, depth, where) if isinstance(named, GraphQLObjectType) else ""
    if bare and sub:
        sub = "{ __typename }"
    return name + (f"({', '.join(arguments)})" if arguments else "") + f" {sub}"


async def client_schema(gw: Gateway, tenant: str) -> GraphQLSchema:
    body = await gw.gql(get_introspection_query(), tenant=tenant, scope="admin")
    return build_client_schema(body["data"])


def documents(
    schema: GraphQLSchema,
    where: st.SearchStrategy[str],
    count: int,
    operation: str = "query",
) -> list[str]:
    """`count` documents drawn by hypothesis over the schema: a root field of the Query
    (or Mutation) type with drawn arguments (every filter and `where` it takes, every
    input field, photos included) and a selection."""
    root_type = schema.query_type if operation == "query" else schema.mutation_type
    assert root_type is not None
    drawn: list[str] = []

    @settings(max_examples=count, deadline=None, database=None)
    @given(data=st.data())
    def draw(data: st.DataObject) -> None:
        root = data.draw(st.sampled_from(sorted(root_type.fields)))
        # A write's own calls must be in its estimate when it selects next to nothing.
        bare = operation == "mutation" and data.draw(st.booleans())
        literal = field_literal(data.draw, root, root_type.fields[root], 4, where, bare=bare)
        drawn.append(f"{operation} {{ {literal} }}")

    draw()
    return drawn


def root_of(document: str) -> str:
    return document.split("{", 1)[1].split("(")[0].split()[0]


@pytest.mark.parametrize(("operation", "count", "reached"), [("query", 25, 4), ("mutation", 20, 4)])
async def test_every_root_field_costs_at_least_what_it_settles_and_its_calls(
    ddb: Any,
    settings: Settings,
    s3_endpoint: str,
    calls: CallRecorder,
    operation: str,
    count: int,
    reached: int,
) -> None:
    """Queries for every scope; mutations (which a read key may not run) for write and
    admin keys, with every input field drawn: most are refused with userErrors, some
    write, some fail on their version or a photo that was never uploaded."""
    scopes = ("read", "write", "admin") if operation == "query" else ("write", "admin")
    gateway = open_photos_gateway(ddb, settings, s3_endpoint, DEMO_TENANTS, limits=ROOMY)
    async with gateway as (gw, _, _):
        for tenant in DEMO_TENANTS:
            schema = await client_schema(gw, tenant)
            drawn = documents(schema, where_strategy(tenant, settings), count, operation)
            roots = {root_of(document) for document in drawn}
            assert len(roots) >= reached, roots  # the draw reaches most root fields
            for n, document in enumerate(drawn):
                scope = scopes[n % len(scopes)]
                calls.reset()
                body = (await gw.post(document, tenant=tenant, scope=scope)).json()
                cost = body["extensions"]["cost"]
                made = calls.count()
                if scope == "read":  # the calls grow with private fields: never shown
                    assert "dynamodbCalls" not in cost, (document, body)
                else:
                    assert cost["dynamodbCalls"] == made, (document, body)
                assert cost["requested"] >= cost["actual"] >= made, (document, body)


async def test_a_status_filter_is_in_the_estimate_and_the_loop_pays_every_call(
    ddb: Any, settings: Settings, calls: CallRecorder
) -> None:
    """The reported probe: `status` outside `where` is a FilterExpression that read ten
    Queries past an estimate of a few fields, and a loop of it was never throttled."""
    limits = Limits(cost_per_second=0.001, cost_burst=400)
    document = (
        '{ productListings(productId: "prd-001", status: WITHDRAWN, first: 1) '
        "{ edges { node { id } } } }"
    )
    async with open_gateway(ddb, settings, limits=limits) as gw:
        codes = []
        for _ in range(30):
            calls.reset()
            body = (await gw.post(document)).json()
            if "data" in body and body.get("data") is not None:
                cost = body["extensions"]["cost"]
                assert cost["requested"] >= FILTERED_PAGE_MAX_CALLS * 2
                assert cost["requested"] >= cost["actual"] >= calls.count()
            codes.extend(e["extensions"]["code"] for e in body.get("errors", []))
        # 400 tokens pay for a handful of such pages, not thirty: the loop is throttled.
        assert "THROTTLED" in codes


PRIVATE_PAGE = (
    '{ productListings(productId: "prd-001", first: 1) '
    "{ edges { node { id title custom { size } } } } }"
)


async def test_a_read_keys_cost_does_not_depend_on_private_field_sizes(
    ddb: Any, settings: Settings
) -> None:
    async with open_gateway(ddb, settings) as gw:
        seen = []
        for size in (10, 100_000):
            listings = await gw.gql(
                '{ productListings(productId: "prd-001", first: 2) { edges { node { id } } } }',
                scope="admin",
            )
            ids = [e["node"]["id"] for e in listings["data"]["productListings"]["edges"]]
            items = []
            table = gw.tenants["kicks"].tables.listings
            for listing_id in ids:
                response = await ddb.get_item(TableName=table, Key={"listingId": {"S": listing_id}})
                item = response["Item"]
                item.setdefault("custom", {"M": {}})["M"]["colorway_notes"] = {"S": "x" * size}
                item["custom"]["M"]["shopify"] = {"M": {"blob": {"S": "y" * size}}}
                items.append(item)
            for item in items:
                await ddb.put_item(TableName=table, Item=item)
            read = (await gw.gql(PRIVATE_PAGE))["extensions"]["cost"]
            admin = (await gw.gql(PRIVATE_PAGE, scope="admin"))["extensions"]["cost"]
            seen.append((read, admin["actualReadCapacity"]))
        (small, small_capacity), (large, large_capacity) = seen
        assert "actualReadCapacity" not in small
        assert small == large
        # The figure hidden from the read key does move with the private bytes.
        assert large_capacity > small_capacity
