"""A read key learns nothing of a private field: not in data, not through a computed
field, a filter, history, an error message or a suggestion.

The check is non-interference: two listings identical in every public value but with
different private values must look the same to a read key through every public field of
the demo tenants' schemas (found by walking the public schema), and a computed field
that reads a private field is private unless its declaration publishes it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_required_argument,
)

from graph.execution.internals import graphql_schema
from graph.extensions import load_extension
from graph.extensions.spec import ExtensionError
from graph.local import demo
from graph.registry.tenants import Limits
from graph.settings import REPO_ROOT
from graph.store import put_items
from tests.conftest import Gateway, make_gateway, raw_key

DEMO_PRIVATE = {
    "kicks": {"purchase_price": [Decimal("100.00"), Decimal("333.33")]},
    "threads": {},
}


def everything(schema: GraphQLSchema, type_name: str, depth: int = 0) -> str:
    """A selection of every field of a type that takes no required argument, nested
    objects included (connections through their nodes), up to a few levels."""
    kind = schema.type_map[type_name]
    assert isinstance(kind, GraphQLObjectType)
    parts = []
    for name, field in kind.fields.items():
        if any(is_required_argument(a) for a in field.args.values()):
            continue
        named = get_named_type(field.type)
        if isinstance(named, GraphQLObjectType):
            if depth >= 4 or (named.name in {"Seller", "Listing"} and depth > 0):
                parts.append(f"{name} {{ __typename }}")
                continue
            parts.append(f"{name} {{ {everything(schema, named.name, depth + 1)} }}")
        else:
            parts.append(name)
    return " ".join(parts)


def _unwrap(kind: Any) -> Any:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


async def _set_private(
    ddb: Any, gw: Gateway, tenant: str, listings: list[dict[str, Any]], values: dict[str, Any]
) -> None:
    """Write private values straight to the table: no version or history changes."""
    items = [{**item, "custom": {**item.get("custom", {}), **values}} for item in listings]
    await put_items(ddb, gw.tenants[tenant].tables.listings, items)


@pytest.mark.parametrize("tenant", ["kicks", "threads"])
async def test_no_public_field_depends_on_a_private_value(
    ddb: Any, settings: Any, tenant: str
) -> None:
    # Every field of every listing, history included: each entry's changes now count at
    # their most (issue 30), above the default maxCost of 5,000.
    gw, tenants = await make_gateway(ddb, settings, (tenant,), limits=Limits(max_cost=50_000))
    try:
        public = graphql_schema(gw.runtime.graph_for(gw.tenants[tenant]).schema(private=False))
        private_fields = {
            name: spec
            for name, spec in load_extension(
                settings.tenants_dir, tenant
            ).spec.listing.fields.items()
            if spec.visibility == "private"
        }
        query = (
            '{ listing(id: "lst-0001") { ' + everything(public, "Listing") + " } "
            'productListings(productId: "prd-001", first: 3) { edges { node { '
            + everything(public, "Listing")
            + " } } } }"
        )
        read = raw_key(tenant, "read")
        listings = [
            item
            for item in demo.dataset(tenant, tenant)["listings"]
            if item["listingId"] == "lst-0001" or item["productId"] == "prd-001"
        ]
        candidates = {
            name: DEMO_PRIVATE.get(tenant, {}).get(name)
            or ([Decimal("1"), Decimal("987654.32")] if spec.type == "Decimal" else None)
            for name, spec in private_fields.items()
        }
        views = []
        for n in range(2):
            values: dict[str, Any] = {}
            for name, spec in private_fields.items():
                if spec.type == "JSON":
                    values[name] = json.dumps({"productId": f"secret-{n}"})
                elif spec.type == "enum":
                    values[name] = spec.values[n % len(spec.values)]
                elif candidates.get(name):
                    values[name] = candidates[name][n]  # type: ignore[index]
                elif spec.type == "String":
                    values[name] = f"secret-{n}"
            await _set_private(ddb, gw, tenant, listings, values)
            response = await gw.http.post(
                "/graphql", json={"query": query}, headers={"X-Api-Key": read}
            )
            body = response.json()
            assert "errors" not in body, body
            views.append(body["data"])
        assert views[0] == views[1], "a public field changed with a private value"
        # And the private names are nowhere in what the read key can see of the schema.
        sdl = (await gw.http.get("/schema.graphql", headers={"X-Api-Key": read})).text
        for name in private_fields:
            camel = name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:])
            assert camel not in sdl
    finally:
        await gw.http.aclose()
        from graph.store import delete_tables

        for t in tenants:
            await delete_tables(ddb, t.tables)


async def test_a_read_key_cannot_filter_or_probe_private_fields(gateway: Gateway) -> None:
    read = raw_key("kicks", "read")
    for where in ['{purchasePrice: {gt: "1"}}', "{payoutTier: {eq: GOLD}}"]:
        body = (
            await gateway.http.post(
                "/graphql",
                json={
                    "query": (
                        f'{{ productListings(productId: "prd-001", where: {where}) '
                        "{ __typename } }"
                    )
                },
                headers={"X-Api-Key": read},
            )
        ).json()
        message = json.dumps(body["errors"])
        assert body["errors"][0]["extensions"]["code"] in {
            "BAD_USER_INPUT",
            "GRAPHQL_VALIDATION_FAILED",
        }
        # The message may echo the client's own name, never another private one or a hint.
        assert "shopify" not in message.lower()
        assert "Did you mean" not in message
    body = (
        await gateway.http.post(
            "/graphql",
            json={"query": '{ listing(id: "lst-0001") { custom { markup purchasePric } } }'},
            headers={"X-Api-Key": read},
        )
    ).json()
    assert "purchasePrice" not in json.dumps(body)


async def test_markup_is_private_in_the_kicks_demo(gateway: Gateway) -> None:
    query = '{ listing(id: "lst-0001") { custom { markup } } }'
    read = await gateway.gql(query, scope="read")
    assert read["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    write = await gateway.gql(query, scope="write")
    assert "errors" not in write, write


def _tenant_dir(tmp_path: Path, module: str) -> Path:
    (tmp_path / "extensions").mkdir()
    (tmp_path / "extensions" / "acme.toml").write_text(
        (REPO_ROOT / "tenants" / "extensions" / "kicks.toml").read_text()
    )
    (tmp_path / "extensions" / "acme.py").write_text(module)
    return tmp_path


HEADER = "from graph.extensions.api import computed\n"


@pytest.mark.parametrize(
    ("decorator", "visibility"),
    [
        ('@computed("listing", type="Decimal", reads=("purchase_price",))', "private"),
        ('@computed("listing", type="Decimal", reads=("size",))', "public"),
        ('@computed("listing", type="Decimal", reads=("size",), visibility="private")', "private"),
        (
            '@computed("listing", type="Decimal", reads=("purchase_price",), '
            'publish="Only says whether a price was paid, not how much.")',
            "public",
        ),
        ('@computed("seller", type="Boolean", reads=("payout_tier",))', "private"),
        ('@computed("listing", type="Boolean", reads=("seller.payout_tier",))', "private"),
    ],
)
def test_visibility_is_derived_from_what_a_computed_field_reads(
    tmp_path: Path, decorator: str, visibility: str
) -> None:
    source = HEADER + f"{decorator}\ndef derived(item, ctx):\n    return None\n"
    ext = load_extension(_tenant_dir(tmp_path, source), "acme")
    specs = [c for entity in ext.module.computed.values() for c in entity]
    assert [c.visibility for c in specs] == [visibility]


@pytest.mark.parametrize(
    ("decorator", "needle"),
    [
        ('@computed("listing", type="Decmal", reads=())', "'Decmal'"),
        ('@computed("listing", type="Decimal", reads=("purchase_prise",))', "'purchase_prise'"),
        ('@computed("listing", type="Decimal", reads=("buyer.x",))', "'buyer.x'"),
        ('@computed("listing", type="Decimal", reads=("size",), publish=" ")', "empty `publish`"),
    ],
)
def test_bad_computed_declarations_name_the_module_and_function(
    tmp_path: Path, decorator: str, needle: str
) -> None:
    source = HEADER + f"{decorator}\ndef derived(item, ctx):\n    return None\n"
    with pytest.raises(ExtensionError) as raised:
        load_extension(_tenant_dir(tmp_path, source), "acme")
    message = str(raised.value)
    assert "acme.py" in message
    assert "'derived'" in message
    assert needle in message


async def test_a_computed_field_sees_only_what_it_declared(tmp_path: Path) -> None:
    from graph.extensions.api import restricted

    item = {"listingId": "x", "custom": {"size": 10, "purchase_price": 99}}
    assert restricted(item, frozenset({"size"})) == {"listingId": "x", "custom": {"size": 10}}
