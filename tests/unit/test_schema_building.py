"""Schema building: a tenant's custom types, made when its schema is built.

Real parts: extension files written to tmp_path and loaded by the gateway's loader, the
real `build_schema`, graphql-core's view of the result; execution goes through real
DataLoaders over items in memory (no DynamoDB: the store is not what is tested here).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiodataloader import DataLoader
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

from graph.execution.internals import graphql_schema
from graph.extensions import TenantExtension, load_extension
from graph.loaders import Loaders
from graph.registry.tenants import Registry
from graph.resolvers.context import Context
from graph.schema.custom_values import plain_input, stored_names
from graph.tenant_schema.build import build_schema
from tests.conftest import make_tenant

ACME_TOML = """
[listing.fields.size]
type = "Decimal"
description = "Size."
filterable = true

[listing.fields.grade]
type = "enum"
values = ["A", "B"]
default = "B"
filterable = true

[listing.fields.tags]
type = "list"
items = { type = "enum", values = ["RARE", "VINTAGE"] }

[listing.fields.cost]
type = "Decimal"
visibility = "private"
filterable = true

[listing.fields.old_name]
type = "String"
deprecation_reason = "Use size."

[seller.fields.tier]
type = "enum"
values = ["GOLD", "SILVER"]
visibility = "private"
"""

ACME_PY = """
from graph.extensions.api import computed


@computed("listing", type="String", reads=("size",), description="Size label.")
def size_label(listing, ctx):
    size = listing["custom"].get("size")
    return None if size is None else f"US {size}"


@computed("listing", type="Decimal", reads=("cost",))
def margin(listing, ctx):
    return listing["price"]["amount"] - listing["custom"]["cost"]
"""

BASE_OBJECTS = {"Listing", "Seller", "Query", "Mutation"}


def write_tenant(root: Path, tenant_id: str, toml: str, py: str | None = None) -> TenantExtension:
    folder = root / "extensions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{tenant_id}.toml").write_text(toml)
    if py is not None:
        (folder / f"{tenant_id}.py").write_text(py)
    return load_extension(root, tenant_id)


@pytest.fixture
def acme(tmp_path: Path) -> TenantExtension:
    return write_tenant(tmp_path, "acme", ACME_TOML, ACME_PY)


def core(extension: TenantExtension | None, *, private: bool) -> GraphQLSchema:
    return graphql_schema(build_schema(extension, private=private))


def fields_of(schema: GraphQLSchema, name: str) -> dict[str, str]:
    kind = schema.type_map[name]
    assert isinstance(kind, GraphQLObjectType | GraphQLInputObjectType)
    return {n: str(f.type) for n, f in kind.fields.items()}


def custom_names(schema: GraphQLSchema) -> set[str]:
    base = set(core(None, private=True).type_map)
    return set(schema.type_map) - base


def test_public_callers_get_the_public_fields_only(acme: TenantExtension) -> None:
    schema = core(acme, private=False)
    assert fields_of(schema, "AcmeListingCustom") == {
        "size": "Decimal",
        "grade": "AcmeListingGrade!",
        "tags": "[AcmeListingTags!]",
        "oldName": "String",
        "sizeLabel": "String",
    }
    assert "custom" not in fields_of(schema, "Seller")  # its only field is private
    assert "custom" not in fields_of(schema, "UpsertSellerInput")
    assert fields_of(schema, "AcmeListingWhere") == {
        "size": "DecimalFilter",
        "grade": "AcmeListingGradeFilter",
    }
    assert custom_names(schema) == {
        "AcmeListingCustom",
        "AcmeListingGrade",
        "AcmeListingTags",
        "AcmeListingCustomCreateInput",
        "AcmeListingCustomUpdateInput",
        "AcmeListingWhere",
        "AcmeListingGradeFilter",
        "DecimalFilter",
    }


def test_private_callers_also_get_private_and_derived_private_fields(
    acme: TenantExtension,
) -> None:
    schema = core(acme, private=True)
    listing_custom = fields_of(schema, "AcmeListingCustom")
    assert listing_custom["cost"] == "Decimal"
    assert listing_custom["margin"] == "Decimal"  # reads a private field: private
    assert fields_of(schema, "AcmeSellerCustom") == {"tier": "AcmeSellerTier"}
    assert fields_of(schema, "Seller")["custom"] == "AcmeSellerCustom!"
    assert fields_of(schema, "AcmeListingWhere") == {
        "size": "DecimalFilter",
        "grade": "AcmeListingGradeFilter",
        "cost": "DecimalFilter",
    }
    assert fields_of(schema, "AcmeSellerCustomUpdateInput") == {"tier": "AcmeSellerTier"}
    assert custom_names(schema) - custom_names(core(acme, private=False)) == {
        "AcmeSellerCustom",
        "AcmeSellerTier",
        "AcmeSellerCustomUpdateInput",
    }


def test_descriptions_deprecations_and_enum_values(acme: TenantExtension) -> None:
    schema = core(acme, private=True)
    custom = schema.type_map["AcmeListingCustom"]
    assert isinstance(custom, GraphQLObjectType)
    assert custom.description == "Custom fields of listings of this brand."
    assert custom.fields["size"].description == "Size. _Filterable: usable in `where`._"
    assert custom.fields["oldName"].deprecation_reason == "Use size."
    assert custom.fields["margin"].description == (
        "_Computed by the brand's code: read-only, not filterable._ "
        "_Private: only write and admin keys see it._"
    )
    grade = schema.type_map["AcmeListingGrade"]
    assert isinstance(grade, GraphQLEnumType)
    assert list(grade.values) == ["A", "B"]
    create = schema.type_map["AcmeListingCustomCreateInput"]
    assert isinstance(create, GraphQLInputObjectType)
    assert create.fields["oldName"].deprecation_reason == "Use size."


def test_where_and_custom_inputs_sit_where_the_placeholders_were(acme: TenantExtension) -> None:
    schema = core(acme, private=False)
    assert schema.query_type is not None
    product = schema.query_type.fields["productListings"]
    assert str(product.args["where"].type) == "AcmeListingWhere"
    seller = schema.type_map["Seller"]
    assert isinstance(seller, GraphQLObjectType)
    assert str(seller.fields["listings"].args["where"].type) == "AcmeListingWhere"
    assert fields_of(schema, "CreateListingInput")["custom"] == "AcmeListingCustomCreateInput"
    assert fields_of(schema, "UpdateListingInput")["custom"] == "AcmeListingCustomUpdateInput"
    assert fields_of(schema, "Listing")["custom"] == "AcmeListingCustom!"


def test_a_tenant_without_extension_gets_no_custom_types(tmp_path: Path) -> None:
    empty = load_extension(tmp_path, "plain")  # no extension files at all
    for private in (False, True):
        schema = core(empty, private=private)
        assert custom_names(schema) == set()
        assert schema.query_type is not None
        assert "where" not in schema.query_type.fields["productListings"].args
        for name in ("Listing", "Seller", "CreateListingInput", "UpsertSellerInput"):
            assert "custom" not in fields_of(schema, name)


def test_two_tenants_share_no_custom_type_names(tmp_path: Path, acme: TenantExtension) -> None:
    other = write_tenant(
        tmp_path,
        "zed-shop",
        '[listing.fields.size]\ntype = "Decimal"\nfilterable = true\n'
        '[listing.fields.grade]\ntype = "enum"\nvalues = ["X"]\nfilterable = true\n',
    )
    for private in (False, True):
        mine, theirs = (
            custom_names(core(acme, private=private)),
            custom_names(core(other, private=private)),
        )
        # Scalar filters (DecimalFilter, ...) are generic by name and shape; every type
        # made from a tenant's declarations carries its prefix.
        shared = mine & theirs
        assert shared == {"DecimalFilter"}, shared
        assert all(n.startswith("Acme") for n in mine - shared)
        assert all(n.startswith("ZedShop") for n in theirs - shared)


class _Items:
    def __init__(self, items: dict[str, dict[str, Any]]) -> None:
        self.items = items

    async def batch(self, keys: list[str]) -> list[dict[str, Any] | None]:
        return [self.items.get(k) for k in keys]


def test_declared_and_computed_fields_resolve(acme: TenantExtension) -> None:
    item = {
        "listingId": "lst-1",
        "sellerId": "s-1",
        "productId": "p",
        "title": "t",
        "condition": "GOOD",
        "status": "ACTIVE",
        "price": {"amount": Decimal("100"), "currency": "USD"},
        "createdAt": "2026-01-01T00:00:00.000+00:00",
        "updatedAt": "2026-01-01T00:00:00.000+00:00",
        "version": 1,
        "custom": {"size": Decimal("10.5"), "tags": ["RARE"], "cost": Decimal("60")},
    }
    tenant = make_tenant("acme", "unit")
    principal = Registry([tenant], "test").authenticate("rg_acme-test-write_acmeTestSecretWrite01")
    assert principal is not None
    query = '{ listing(id: "lst-1") { custom { size grade tags sizeLabel margin } } }'

    async def run() -> Any:
        loaders = Loaders(
            DataLoader(_Items({"lst-1": item}).batch),  # type: ignore[arg-type]
            DataLoader(_Items({}).batch),  # type: ignore[arg-type]
        )
        context = Context("r", principal, None, loaders, acme)  # type: ignore[arg-type]
        return await build_schema(acme, private=True).execute(query, context_value=context)

    result = asyncio.run(run())
    assert result.errors is None, result.errors
    assert result.data == {
        "listing": {
            "custom": {
                "size": "10.5",
                "grade": "B",  # the declared default
                "tags": ["RARE"],
                "sizeLabel": "US 10.5",
                "margin": "40",
            }
        }
    }


def test_input_values_reach_the_resolvers_by_stored_name(acme: TenantExtension) -> None:
    schema = build_schema(acme, private=True)
    core_types = graphql_schema(schema).type_map

    def made(name: str) -> Any:  # the Python class Strawberry made the GraphQL type from
        definition = core_types[name].extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
        return getattr(definition, "origin", None) or definition.wrapped_cls

    grade, tags = made("AcmeListingGrade"), made("AcmeListingTags")
    # `where` arrives as the tenant's input objects: given fields only, by stored name.
    where = made("AcmeListingWhere")(
        size=made("DecimalFilter")(gte=Decimal(3), lt=None),
        grade=made("AcmeListingGradeFilter")(in_=[grade.A]),
    )
    assert plain_input(where) == {"size": {"gte": Decimal(3), "lt": None}, "grade": {"in": ["A"]}}
    assert plain_input(None) is None
    # A mutation's `custom` arrives as sent (camelCase), enums as members; JSON as is.
    sent = {"oldName": "x", "tags": [tags.RARE], "grade": grade.A, "size": None}
    assert stored_names(acme.spec.listing.fields, sent) == {
        "old_name": "x",
        "tags": ["RARE"],
        "grade": "A",
        "size": None,
    }


def test_an_edited_declaration_gets_a_new_type_and_an_unchanged_one_is_reused(
    tmp_path: Path,
) -> None:
    first = write_tenant(tmp_path, "acme", ACME_TOML)
    before = graphql_schema(build_schema(first, private=False)).type_map
    again = graphql_schema(build_schema(write_tenant(tmp_path, "acme", ACME_TOML), private=True))
    # same declarations: the same Strawberry classes behind both schemas' types
    backref = GraphQLCoreConverter.DEFINITION_BACKREF
    for name in ("AcmeListingGrade", "AcmeListingGradeFilter", "DecimalFilter"):
        assert again.type_map[name].extensions[backref] is before[name].extensions[backref]
    edited = write_tenant(tmp_path, "acme", ACME_TOML.replace('"Size."', '"Size, US."'))
    custom = graphql_schema(build_schema(edited, private=False)).type_map["AcmeListingCustom"]
    assert isinstance(custom, GraphQLObjectType)
    assert custom.fields["size"].description == "Size, US. _Filterable: usable in `where`._"
    stale = before["AcmeListingCustom"]
    assert isinstance(stale, GraphQLObjectType)
    assert stale.fields["size"].description == "Size. _Filterable: usable in `where`._"


NESTED_TOML = """
[listing.fields.note]
type = "String"

[listing.fields.box]
type = "object"
fields = {{ {fields} }}
"""
FIRST_BOX = 'width = { type = "Int" }, tags = { type = "list", items = { type = "String" } }'


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # a field added inside the nested object; the rest of the declarations are the same
        (
            FIRST_BOX + ', depth = { type = "Int" }',
            {"width": "Int", "tags": "[String!]", "depth": "Int"},
        ),
        # the same names, one sub-field's type changed
        (FIRST_BOX.replace('"Int"', '"Float"'), {"width": "Float", "tags": "[String!]"}),
        # a list's item type changed inside the object
        (
            FIRST_BOX.replace('items = { type = "String" }', 'items = { type = "Int" }'),
            {"width": "Int", "tags": "[Int!]"},
        ),
    ],
)
def test_a_change_inside_a_nested_object_gets_a_new_type(
    tmp_path: Path, fields: str, expected: dict[str, str]
) -> None:
    """Types are shared between schemas by declaration: a nested object is keyed by its
    own fields too, so a schema whose object differs only inside gets its own type."""
    before = core(
        write_tenant(tmp_path, "acme", NESTED_TOML.format(fields=FIRST_BOX)), private=False
    )
    assert fields_of(before, "AcmeListingBox") == {"width": "Int", "tags": "[String!]"}
    edited = write_tenant(tmp_path, "acme", NESTED_TOML.format(fields=fields))
    for private in (False, True):
        assert fields_of(core(edited, private=private), "AcmeListingBox") == expected
    # the earlier schema keeps its own type
    assert fields_of(before, "AcmeListingBox") == {"width": "Int", "tags": "[String!]"}
