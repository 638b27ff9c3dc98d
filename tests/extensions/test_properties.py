"""Property tests: generated extension definitions and values.

- every generated definition builds a valid schema, public and private variants;
- valid values round-trip through DynamoDB Local and back out of GraphQL unchanged
  (Decimal exact, DateTime the same instant, JSON and floats bit for bit);
- invalid values are rejected with the path to the field.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.utils.str_converters import to_camel_case

from graph.extensions import TenantExtension
from graph.extensions.modules import TenantModule
from graph.extensions.spec import RESERVED, ExtensionSpec, FieldSpec
from graph.extensions.values import stored_values, validate_values
from graph.loaders import Loaders
from graph.registry.tenants import Registry
from graph.resolvers.context import Context
from graph.store import from_wire, to_wire
from graph.tenant_schema.build import build_schema
from tests.conftest import make_tenant

SCALARS = ["String", "Int", "Float", "Boolean", "Decimal", "DateTime"]
names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(lambda n: n not in RESERVED)
enum_values = st.lists(
    st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=5, unique=True
)


def scalar_spec(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    extra: st.SearchStrategy[dict[str, Any]] = st.just({})
    if kind in {"Int", "Decimal"}:
        extra = st.fixed_dictionaries(
            {}, optional={"min": st.integers(-1000, 0), "max": st.integers(1, 1000)}
        )
    if kind == "String":
        extra = st.fixed_dictionaries({}, optional={"max_length": st.integers(1, 40)})
    return extra.map(lambda e: {"type": kind, **e})


def field_spec(depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.sampled_from(SCALARS).flatmap(scalar_spec) | enum_values.map(
        lambda v: {"type": "enum", "values": v}
    )
    options = [leaf, leaf.map(lambda s: {"type": "list", "items": s})]
    if depth == 0:
        options.append(
            st.dictionaries(names, leaf, min_size=1, max_size=3).map(
                lambda f: {"type": "object", "fields": f}
            )
        )
        options.append(st.just({"type": "JSON"}))
    flags = st.fixed_dictionaries(
        {},
        optional={
            "description": st.text(max_size=20),
            "visibility": st.sampled_from(["public", "private"]),
        },
    )
    return (
        st.tuples(st.one_of(options), flags)
        .map(lambda t: {**t[0], **t[1]})
        .map(lambda s: {**s, "filterable": s["type"] in {*SCALARS, "enum"}})
    )


specs = st.dictionaries(names, field_spec(), min_size=1, max_size=6).map(
    lambda fields: ExtensionSpec.model_validate({"listing": {"fields": fields}})
)


#: What a custom String may hold (graph/domain.py `text_problem`, multi-line): no control
#: characters but tab and newline, no direction overrides or isolates.
TEXT = st.characters(
    exclude_categories=("Cc", "Cs"),
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
) | st.sampled_from("\t\n")


def value_for(spec: FieldSpec) -> st.SearchStrategy[Any]:
    kind = spec.type
    low = int(spec.min) if spec.min is not None else -(2**31)
    high = int(spec.max) if spec.max is not None else 2**31 - 1
    if kind == "String":
        return st.text(TEXT, max_size=spec.max_length or 40)
    if kind == "Int":
        return st.integers(low, high)
    if kind == "Float":
        return st.floats(-1e100, 1e100, allow_nan=False).filter(lambda f: f == 0 or abs(f) > 1e-100)
    if kind == "Decimal":
        return st.decimals(low, high, places=4, allow_nan=False, allow_infinity=False)
    if kind == "Boolean":
        return st.booleans()
    if kind == "DateTime":
        return st.builds(
            lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
            st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1)).map(
                lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
            ),
            st.integers(-14 * 60, 14 * 60),
        )
    if kind == "enum":
        return st.sampled_from(spec.values)
    if kind == "list":
        assert spec.items is not None
        return st.lists(value_for(spec.items), max_size=4)
    if kind == "object":
        return st.fixed_dictionaries({n: value_for(s) for n, s in spec.fields.items()})
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.text(max_size=10)
        | st.floats(allow_nan=False, allow_infinity=False),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    )


def graphql_out(spec: FieldSpec, value: Any) -> Any:
    """What GraphQL should answer for `value` of `spec` (its serialization)."""
    kind = spec.type
    if value is None:
        return None
    if kind == "Decimal":
        return value
    if kind == "DateTime":
        return value
    if kind == "list":
        assert spec.items is not None
        return [graphql_out(spec.items, v) for v in value]
    if kind == "object":
        return {to_camel_case(n): graphql_out(s, value.get(n)) for n, s in spec.fields.items()}
    return value


def same(spec: FieldSpec, got: Any, want: Any) -> bool:
    if want is None or got is None:
        return got is want
    kind = spec.type
    if kind == "Decimal":
        return Decimal(got) == Decimal(want)
    if kind == "DateTime":
        return datetime.fromisoformat(got) == want
    if kind == "list":
        assert spec.items is not None
        items = spec.items
        return len(got) == len(want) and all(
            same(items, g, w) for g, w in zip(got, want, strict=True)
        )
    if kind == "object":
        return all(
            same(s, got[to_camel_case(n)], want.get(to_camel_case(n)))
            for n, s in spec.fields.items()
        )
    if kind == "JSON":
        return json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    return bool(got == want)


def selection(fields: dict[str, FieldSpec]) -> str:
    parts = []
    for name, spec in fields.items():
        inner = spec.items if spec.type == "list" and spec.items else spec
        if inner.type == "object":
            parts.append(f"{to_camel_case(name)} {{ {selection(dict(inner.fields))} }}")
        else:
            parts.append(to_camel_case(name))
    return " ".join(parts)


class _Loader:
    def __init__(self, item: dict[str, Any] | None) -> None:
        self.item = item

    async def load(self, key: str) -> dict[str, Any] | None:
        return self.item

    async def load_many(self, keys: list[str]) -> list[dict[str, Any] | None]:
        return [self.item for _ in keys]

    def prime(self, key: str, value: Any) -> None: ...

    def clear(self, key: str) -> None: ...


@pytest.fixture(scope="module")
def table(dynamodb_endpoint: str) -> Any:
    client = boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    name = f"props-{datetime.now(UTC).strftime('%H%M%S%f')}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield client, name
    client.delete_table(TableName=name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def test_every_definition_builds_both_variants(spec: ExtensionSpec) -> None:
    ext = TenantExtension("acme", spec, TenantModule())
    for private in (False, True):
        schema = build_schema(ext, private=private)
        sdl = str(schema)
        block = sdl.split("type AcmeListingCustom {", 1)
        custom_type = block[1].split("\n}", 1)[0] if len(block) == 2 else ""
        for name, field in spec.listing.fields.items():
            visible = private or field.visibility == "public"
            assert (f"  {to_camel_case(name)}:" in custom_type) == visible, (name, private)
        filterable = [
            n
            for n, f in spec.listing.fields.items()
            if f.filterable and (private or f.visibility == "public")
        ]
        assert ("input AcmeListingWhere" in sdl) == bool(filterable)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_valid_values_round_trip_through_dynamodb_and_graphql(table: Any, data: Any) -> None:
    client, name = table
    spec = data.draw(specs)
    fields = dict(spec.listing.fields)
    values = {n: data.draw(value_for(s)) for n, s in fields.items()}
    assert validate_values(fields, values, ("custom",), creating=True) == []
    stored = stored_values(fields, values, creating=True)
    key = {"pk": {"S": "item"}}
    client.put_item(TableName=name, Item={**key, "custom": to_wire({"m": stored})["m"]})
    read = from_wire(client.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"])

    ext = TenantExtension("acme", spec, TenantModule())
    schema = build_schema(ext, private=True)
    tenant = make_tenant("acme", "props")
    principal = Registry([tenant], "test").authenticate("rg_acme-test-write_acmeTestSecretWrite01")
    item = {
        "listingId": "lst-1",
        "sellerId": "s",
        "productId": "p",
        "title": "t",
        "condition": "GOOD",
        "status": "ACTIVE",
        "price": {"amount": Decimal(1), "currency": "USD"},
        "createdAt": "2026-01-01T00:00:00.000+00:00",
        "updatedAt": "2026-01-01T00:00:00.000+00:00",
        "version": 1,
        "custom": read["custom"],
    }
    context = Context("r", principal, None, Loaders(_Loader(item), _Loader(None)), ext)  # type: ignore[arg-type]
    query = f'{{ listing(id: "lst-1") {{ custom {{ {selection(fields)} }} }} }}'
    result = asyncio.run(schema.execute(query, context_value=context))
    assert result.errors is None, result.errors
    out = result.data["listing"]["custom"]  # type: ignore[index]
    for field_name, field in fields.items():
        got = out[to_camel_case(field_name)]
        want = graphql_out(field, values.get(field_name))
        assert same(field, got, want), (field_name, field.type, got, want)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_invalid_values_are_rejected_with_the_field_path(data: Any) -> None:
    limits = data.draw(st.integers(1, 100))
    fields = {
        "count": FieldSpec(type="Int", min=0, max=limits, required=True),
        "label": FieldSpec(type="String", max_length=limits),
        "dims": FieldSpec(type="object", fields={"w": FieldSpec(type="Decimal", min=0)}),
        "raw": FieldSpec(type="JSON", json_schema={"type": "object", "required": ["id"]}),
    }
    bad = data.draw(st.sampled_from(["count_high", "count_missing", "label_long", "dims", "raw"]))
    values: dict[str, Any] = {"count": 0}
    expected: tuple[str, ...]
    if bad == "count_high":
        values["count"] = limits + data.draw(st.integers(1, 1000))
        expected = ("custom", "count")
    elif bad == "count_missing":
        values.pop("count")
        expected = ("custom", "count")
    elif bad == "label_long":
        values["label"] = "x" * (limits + data.draw(st.integers(1, 50)))
        expected = ("custom", "label")
    elif bad == "dims":
        values["dims"] = {"w": Decimal(-data.draw(st.integers(1, 10**6))) / 100}
        expected = ("custom", "dims", "w")
    else:
        values["raw"] = {"name": data.draw(st.text(max_size=5))}
        expected = ("custom", "raw")
    errors = validate_values(fields, values, ("custom",), creating=True)
    assert [e.field for e in errors] == [expected]
