"""Hostile and careless input, by class: every root field's string arguments, optional
arguments left out, byte bodies, nesting, spec conformance, conflicting credentials.

Each test asserts a coded client error (never a 5xx, never a masked internal error), no
DynamoDB call for a rejected input, and that the gateway keeps answering.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    is_required_argument,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import ERROR_CODES
from graph.execution.internals import graphql_schema
from graph.http.bodies import MAX_JSON_DEPTH
from graph.limits.arguments import MAX_ID_LENGTH, MAX_SCALAR_TEXT, MAX_STRING_LENGTH
from graph.settings import Settings
from tests.conftest import CallRecorder, Gateway, open_gateway, raw_key

CLIENT_CODES = ERROR_CODES - {"INTERNAL_SERVER_ERROR"}


@pytest.fixture(scope="module")
async def gateway(ddb: Any, settings: Settings) -> AsyncIterator[Gateway]:
    """One seeded gateway for the module: these tests only read (or are refused)."""
    async with open_gateway(ddb, settings) as gw:
        yield gw


KEY = {"X-Api-Key": raw_key("kicks", "admin")}

# -- helpers ------------------------------------------------------------------------------


def admin_schema(gw: Gateway) -> GraphQLSchema:
    tenant = gw.tenants["kicks"]
    return graphql_schema(gw.runtime.graph_for(tenant).schema(private=True))


def selection(kind: Any) -> str:
    """A small valid selection for a field's type (`{ __typename }` for objects)."""
    named = get_named_type(kind)
    return " { __typename }" if isinstance(named, GraphQLObjectType) else ""


def assert_client_error_or_data(response: httpx.Response) -> dict[str, Any]:
    """Never a 5xx or a masked internal error; every error carries a client code."""
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or []:
        code = error.get("extensions", {}).get("code")
        assert code in CLIENT_CODES, error
        assert error["extensions"].get("requestId"), error
    assert "Traceback" not in response.text
    return body


async def post_raw(gw: Gateway, body: bytes, headers: dict[str, str] | None = None) -> Any:
    sent = {**KEY, "Content-Type": "application/json", **(headers or {})}
    return await gw.http.post("/graphql", content=body, headers=sent)


def as_json(query: str, variables: dict[str, Any] | None = None, **extra: Any) -> bytes:
    # ensure_ascii keeps lone surrogates as \\ud800 escapes, as a client's JSON would.
    return json.dumps({"query": query, "variables": variables or {}, **extra}).encode()


async def still_answers(gw: Gateway) -> None:
    response = await post_raw(gw, as_json('{ listing(id: "lst-0001") { id } }'))
    assert response.status_code == 200
    assert response.json()["data"]["listing"]["id"] == "lst-0001"


def string_arguments(schema: GraphQLSchema) -> Iterator[tuple[str, str, GraphQLField, str]]:
    """(operation, root field, its definition, argument) for every argument of a root
    field that takes a string-like scalar (ID, String, DateTime, Decimal)."""
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                named = get_named_type(arg.type)
                if isinstance(named, GraphQLScalarType) and named.name in {
                    "ID",
                    "String",
                    "DateTime",
                    "Decimal",
                }:
                    yield operation, name, field, arg_name


def call_with(operation: str, name: str, field: GraphQLField, argument: str, *, type_: str) -> str:
    """A document calling `name` with `$v` for `argument` and sample values for the rest
    of its required arguments."""
    samples = {"ID": '"lst-0001"', "String": '"x"', "Int": "1", "Boolean": "true"}
    args = [f"{argument}: $v"]
    for other, arg in field.args.items():
        if other != argument and is_required_argument(arg):
            named = get_named_type(arg.type)
            args.append(f"{other}: {samples.get(named.name, '1')}")
    return f"{operation}($v: {type_}) {{ {name}({', '.join(args)}){selection(field.type)} }}"


HOSTILE_TEXT = st.one_of(
    st.text(alphabet=st.characters(codec=None, categories=["Cs"]), min_size=1, max_size=4),
    st.text(alphabet=st.sampled_from(["\x00", "\u202e", "\u200f", "\ufeff", "a"]), max_size=8),
    st.just(""),
    st.integers(min_value=MAX_ID_LENGTH + 1, max_value=200_000).map(lambda n: "x" * n),
    st.text(min_size=1, max_size=64),
)

# -- strings in every root field's arguments ------------------------------------------------


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_every_string_argument_of_every_root_field_refuses_hostile_text_cleanly(
    gateway: Gateway, calls: CallRecorder, data: st.DataObject
) -> None:
    schema = admin_schema(gateway)
    targets = list(string_arguments(schema))
    assert len(targets) >= 6, targets  # listing, listings, seller, auditTrail, pages, writes
    for operation, name, field, argument in targets:
        value = data.draw(HOSTILE_TEXT, label=f"{name}.{argument}")
        arg_type = str(field.args[argument].type)
        calls.reset()
        response = await post_raw(
            gateway,
            as_json(call_with(operation, name, field, argument, type_=arg_type), {"v": value}),
        )
        body = assert_client_error_or_data(response)
        if body.get("errors") and any(
            e["extensions"]["code"] in {"BAD_REQUEST", "BAD_USER_INPUT"} for e in body["errors"]
        ):
            assert calls.count() == 0, (name, argument, body)
    await still_answers(gateway)


@pytest.mark.parametrize(
    ("document", "argument", "limit"),
    [
        ("query($v: ID!) { listing(id: $v) { id } }", "listing.id", MAX_ID_LENGTH),
        ('query($v: ID!) { listings(ids: ["a", $v]) { id } }', "listings.ids[1]", MAX_ID_LENGTH),
        ("query($v: ID!) { seller(id: $v) { id } }", "seller.id", MAX_ID_LENGTH),
        (
            "query($v: ID!) { productListings(productId: $v) { __typename } }",
            "productListings.productId",
            MAX_ID_LENGTH,
        ),
        (
            'query($v: String) { productListings(productId: "prd-001", after: $v) { __typename } }',
            "productListings.after",
            MAX_STRING_LENGTH,
        ),
        (
            "query($v: String!) { auditTrail(actor: $v) { __typename } }",
            "auditTrail.actor",
            MAX_STRING_LENGTH,
        ),
        (
            'query($v: DateTime) { auditTrail(actor: "a", from: $v) { __typename } }',
            "auditTrail.from",
            MAX_SCALAR_TEXT,
        ),
        (
            'query($v: Decimal) { productListings(productId: "prd-001", '
            "where: {size: {gte: $v}}) { __typename } }",
            "productListings.where.size.gte",
            MAX_SCALAR_TEXT,
        ),
        (
            'query($v: ID!) { seller(id: "sel-001") { listings(after: $v) { __typename } } }',
            "listings.after",
            MAX_STRING_LENGTH,
        ),
    ],
)
async def test_oversize_arguments_are_refused_before_any_call_naming_the_argument(
    gateway: Gateway, calls: CallRecorder, document: str, argument: str, limit: int
) -> None:
    response = await post_raw(gateway, as_json(document, {"v": "9" * (limit + 1)}))
    body = assert_client_error_or_data(response)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"]["argument"] == argument
    assert argument in body["errors"][0]["message"]
    assert calls.count() == 0
    # One character less passes the bound (and may still be refused for other reasons).
    response = await post_raw(gateway, as_json(document, {"v": "9" * limit}))
    for error in assert_client_error_or_data(response).get("errors") or []:
        assert error["extensions"].get("argument") != argument


async def test_a_one_megabyte_filter_value_is_a_coded_error(
    gateway: Gateway, calls: CallRecorder
) -> None:
    huge = "2026" + "x" * 1_000_000
    # As a variable: over the size of `variables`, refused whole before GraphQL.
    document = (
        'query($v: DateTime) { productListings(productId: "prd-001", '
        "where: {releaseDate: {gte: $v}}) { __typename } }"
    )
    response = await post_raw(gateway, as_json(document, {"v": huge}))
    assert response.status_code == 400
    assert assert_client_error_or_data(response)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    # Written in the document: over the document size limit, refused before parsing ...
    document = (
        'query { productListings(productId: "prd-001", '
        f"where: {{releaseDate: {{gte: {json.dumps(huge)}}}}}) {{ __typename }} }}"
    )
    response = await post_raw(gateway, as_json(document))
    assert response.status_code == 400
    assert assert_client_error_or_data(response)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    # ... and under it: the argument's bound, naming it.
    long = "2026" + "x" * 90_000
    document = (
        'query { productListings(productId: "prd-001", '
        f"where: {{releaseDate: {{gte: {json.dumps(long)}}}}}) {{ __typename }} }}"
    )
    body = assert_client_error_or_data(await post_raw(gateway, as_json(document)))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["argument"] == "productListings.where.releaseDate.gte"
    assert calls.count() == 0


# -- optional arguments left out ---------------------------------------------------------------


async def test_every_root_query_field_works_with_its_optional_arguments_left_out(
    gateway: Gateway,
) -> None:
    schema = admin_schema(gateway)
    assert schema.query_type is not None
    samples = {"id": '"lst-0001"', "ids": '["lst-0001"]', "productId": '"prd-001"', "actor": '"x"'}
    for name, field in schema.query_type.fields.items():
        required = [a for a, arg in field.args.items() if is_required_argument(arg)]
        args = ", ".join(f"{a}: {samples[a]}" for a in required)
        call = f"{name}({args})" if args else name
        body = assert_client_error_or_data(
            await post_raw(gateway, as_json(f"{{ {call}{selection(field.type)} }}"))
        )
        assert "errors" not in body, (name, body)


async def test_every_optional_argument_of_audit_trail_may_be_left_out(gateway: Gateway) -> None:
    for args in [
        'actor: "kicks-test-write"',
        'actor: "kicks-test-write", from: "2026-01-01T00:00:00Z"',
        'actor: "kicks-test-write", to: "2026-01-01T00:00:00Z"',
        'actor: "kicks-test-write", first: 1',
    ]:
        body = assert_client_error_or_data(
            await post_raw(gateway, as_json(f"{{ auditTrail({args}) {{ edges {{ cursor }} }} }}"))
        )
        assert "errors" not in body, (args, body)


# -- bodies: bytes, nesting, size -------------------------------------------------------------


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.binary(max_size=300))
async def test_random_byte_bodies_are_coded_client_errors(
    gateway: Gateway, calls: CallRecorder, body: bytes
) -> None:
    calls.reset()
    response = await post_raw(gateway, body)
    assert_client_error_or_data(response)
    assert calls.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ __typename }", "x": "\xff"}',
        b'{"query": "{ __typename }", "x": "\xed\xa0\x80"}',  # an encoded surrogate
        b'{"query": "{ __t\xc3ypename }"}',
        '{"query": "{ __typename }"}'.encode("utf-16"),
    ],
)
async def test_bodies_that_are_not_utf8_are_bad_request(
    gateway: Gateway, calls: CallRecorder, body: bytes
) -> None:
    response = await post_raw(gateway, body)
    assert response.status_code == 400
    error = assert_client_error_or_data(response)["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "UTF-8" in error["message"]
    assert response.headers["x-request-id"] == error["extensions"]["requestId"]
    assert calls.count() == 0
    await still_answers(gateway)


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
async def test_deeply_nested_json_is_bad_request(
    gateway: Gateway, calls: CallRecorder, opener: bytes, depth: int
) -> None:
    closer = b"]" if opener == b"[" else b"}"
    nested = opener * depth + b"1" + closer * depth
    response = await post_raw(
        gateway, b'{"query": "{ __typename }", "variables": {"v": ' + nested + b"}}"
    )
    assert response.status_code == 400
    error = assert_client_error_or_data(response)["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "levels deep" in error["message"]
    assert calls.count() == 0


async def test_nesting_within_the_bound_and_brackets_in_strings_are_fine(gateway: Gateway) -> None:
    value = json.loads("[" * (MAX_JSON_DEPTH - 3) + "1" + "]" * (MAX_JSON_DEPTH - 3))
    document = "query($v: JSON) { __typename }"
    body = {"query": document, "variables": {"v": value, "s": "[[[[{{{{" * 1000}}
    response = await post_raw(gateway, json.dumps(body).encode())
    # Unused variables fail validation (the spec); the point is the decoder let it through.
    assert response.status_code == 200
    codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
    assert codes <= {"GRAPHQL_VALIDATION_FAILED"}


async def test_lone_surrogates_anywhere_are_refused_before_graphql(
    gateway: Gateway, calls: CallRecorder
) -> None:
    for variables in [{"id": "\ud800"}, {"id": "a\udfffb"}, {"\ud800": "x"}]:
        document = "query($id: ID!) { listing(id: $id) { id } }"
        response = await post_raw(gateway, as_json(document, variables))
        assert response.status_code == 400
        assert (
            assert_client_error_or_data(response)["errors"][0]["extensions"]["code"]
            == "BAD_REQUEST"
        )
    # A surrogate pair is a valid character (U+1F600) and passes.
    response = await post_raw(
        gateway, as_json("query($id: ID!) { listing(id: $id) { id } }", {"id": "\ud83d\ude00"})
    )
    assert assert_client_error_or_data(response)["data"] == {"listing": None}
    calls.reset()
    # In the document, graphql-core's lexer refuses the escape.
    response = await post_raw(gateway, as_json('{ listing(id: "\\ud800") { id } }'))
    assert (
        assert_client_error_or_data(response)["errors"][0]["extensions"]["code"]
        == "GRAPHQL_PARSE_FAILED"
    )
    assert calls.count() == 0


async def test_get_variables_are_decoded_as_safely_as_post_bodies(
    gateway: Gateway, calls: CallRecorder
) -> None:
    for variables in ["[" * 1000 + "]" * 1000, '{"id": "\\ud800"}']:
        response = await gateway.http.get(
            "/graphql",
            params={"query": "query($id: ID!) { listing(id: $id) { id } }", "variables": variables},
            headers=KEY,
        )
        assert response.status_code == 400
        assert (
            assert_client_error_or_data(response)["errors"][0]["extensions"]["code"]
            == "BAD_REQUEST"
        )
    assert calls.count() == 0


# -- spec conformance --------------------------------------------------------------------------


async def test_several_operations_need_an_operation_name(
    gateway: Gateway, calls: CallRecorder
) -> None:
    document = 'query A { listing(id: "lst-0001") { id } } query B { __typename }'
    body = assert_client_error_or_data(await post_raw(gateway, as_json(document)))
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"]
    assert "operationName" in body["errors"][0]["message"]
    body = assert_client_error_or_data(
        await post_raw(gateway, as_json(document, operationName="C"))
    )
    message = body["errors"][0]["message"]
    assert "operation named" in message.lower()
    assert "C" in message
    assert calls.count() == 0
    body = assert_client_error_or_data(
        await post_raw(gateway, as_json(document, operationName="B"))
    )
    assert body["data"] == {"__typename": "Query"}


async def test_an_unused_variable_fails_validation(gateway: Gateway) -> None:
    body = assert_client_error_or_data(
        await post_raw(gateway, as_json("query($x: Int) { __typename }", {"x": 1}))
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    # A variable of the wrong type is still the client's bad input.
    body = assert_client_error_or_data(
        await post_raw(gateway, as_json("query($x: Int!) { listing(id: $x) { id } }", {"x": 1}))
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    body = assert_client_error_or_data(
        await post_raw(gateway, as_json("query($x: ID!) { listing(id: $x) { id } }", {"x": [1]}))
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "value", ["yesterday", "12", "2026-13-01T00:00:00Z", "9999-12-31T23:59:59-12:00", "x" * 70]
)
async def test_bad_datetimes_speak_the_api_language(gateway: Gateway, value: str) -> None:
    literal = assert_client_error_or_data(
        await post_raw(
            gateway, as_json(f'{{ listing(id: "lst-0001", asOf: {json.dumps(value)}) {{ id }} }}')
        )
    )
    variable = assert_client_error_or_data(
        await post_raw(
            gateway,
            as_json(
                'query($t: DateTime) { listing(id: "lst-0001", asOf: $t) { id } }', {"t": value}
            ),
        )
    )
    for body in (literal, variable):
        message = body["errors"][0]["message"]
        assert "ISO 8601" in message or "outside the years" in message or "at most" in message
        for python in ("invalid literal", "int()", "base 10", "Traceback", "fromisoformat"):
            assert python not in message


@pytest.mark.parametrize("value", ["1e200", "1" * 39, "NaN", "-Infinity", "1e-131", "12abc"])
async def test_decimals_the_store_cannot_hold_are_refused(
    gateway: Gateway, calls: CallRecorder, value: str
) -> None:
    document = (
        'query($v: Decimal) { productListings(productId: "prd-001", where: {size: {gte: $v}}) '
        "{ __typename } }"
    )
    body = assert_client_error_or_data(await post_raw(gateway, as_json(document, {"v": value})))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Decimal" in body["errors"][0]["message"]
    assert calls.count() == 0


# -- credentials ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        [
            ("x-api-key", raw_key("kicks", "read")),
            ("authorization", f"Bearer {raw_key('kicks', 'admin')}"),
        ],
        [("x-api-key", raw_key("kicks", "read")), ("x-api-key", raw_key("kicks", "read"))],
        [("x-api-key", raw_key("kicks", "read")), ("x-api-key", "rg_nope_nope")],
        [("authorization", "Bearer a"), ("authorization", f"Bearer {raw_key('kicks', 'read')}")],
    ],
)
async def test_conflicting_credentials_are_refused(
    gateway: Gateway, calls: CallRecorder, headers: list[tuple[str, str]]
) -> None:
    response = await gateway.http.post(
        "/graphql",
        content=as_json('{ listing(id: "lst-0001") { id } }'),
        headers=httpx.Headers([*headers, ("content-type", "application/json")]),
    )
    assert response.status_code == 401
    error = assert_client_error_or_data(response)["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "exactly one key" in error["message"]
    assert calls.count() == 0


async def test_the_same_key_in_both_headers_is_one_key(gateway: Gateway) -> None:
    key = raw_key("kicks", "read")
    response = await gateway.http.post(
        "/graphql",
        content=as_json('{ listing(id: "lst-0001") { id } }'),
        headers={
            "X-Api-Key": key,
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
        },
    )
    assert response.json()["data"]["listing"]["id"] == "lst-0001"


# -- over a real HTTP server: the connection survives bad requests ---------------------------


async def _exchange(
    reader: Any, writer: Any, body: bytes, key: str
) -> tuple[int, dict[str, str], bytes]:
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        + f"X-Api-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines if line)
    }
    payload = await reader.readexactly(int(headers["content-length"]))
    return int(status_line.split()[1]), headers, payload


async def test_bad_bodies_leave_the_keep_alive_connection_usable(gateway: Gateway) -> None:
    import asyncio

    import uvicorn

    config = uvicorn.Config(
        gateway.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # uvicorn has no "started" event to await
            if server.started:
                break
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = raw_key("kicks", "read")
        good = as_json('{ listing(id: "lst-0001") { id } }')
        bad_bodies = [
            b'{"query": "{ __typename }", "x": "\xff\xfe"}',
            b"[" * 50_000 + b"]" * 50_000,
            as_json("query($id: ID!) { listing(id: $id) { id } }", {"id": "\ud800"}),
            as_json("query($id: ID!) { listing(id: $id) { id } }", {"id": "x" * 5000}),
        ]
        for bad in bad_bodies:
            status, headers, payload = await _exchange(reader, writer, bad, key)
            assert status in {200, 400}, payload
            body = json.loads(payload)
            assert body["errors"][0]["extensions"]["code"] in {"BAD_REQUEST", "BAD_USER_INPUT"}
            assert headers["x-request-id"] == body["errors"][0]["extensions"]["requestId"]
            assert headers.get("connection", "keep-alive") != "close"
            # The same connection answers the next request.
            status, _, payload = await _exchange(reader, writer, good, key)
            assert status == 200
            assert json.loads(payload)["data"]["listing"]["id"] == "lst-0001"
        writer.close()
    finally:
        server.should_exit = True
        await task
