"""Errors at every layer reach clients as GraphQL-shaped JSON with a stable code, never
as HTML, plain text, a traceback, a botocore message, an ARN or a table name."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from pydantic import SecretStr
from starlette.requests import Request
from starlette.routing import Route

from graph.errors import ERROR_CODES
from graph.http.view import known_or_masked
from graph.registry.tenants import Limits
from graph.settings import Settings
from tests.conftest import CallRecorder, Gateway, raw_key
from tests.limits.test_limits import codes, gateway_with
from tests.store.test_faults import aws_response, injected, own_client

KEY = {"X-Api-Key": raw_key("kicks", "read")}


def assert_json_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert codes(body) == [code]
    assert body["errors"][0]["extensions"]["requestId"]
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize(
    ("content", "content_type", "needle"),
    [
        (b"{not json", "application/json", "not valid JSON"),
        (b'"just a string"', "application/json", "must be a JSON object"),
        (b"42", "application/json", "must be a JSON object"),
        (b"[]", "application/json", "one operation per request"),
        (b"{}", "application/json", "has no `query`"),
        (b'{"query": 5}', "application/json", "must be a string"),
        (b'{"query": "{ __typename }", "variables": [1]}', "application/json", "variables"),
        (b"{ __typename }", "text/plain", "Content-Type"),
        (b"{ __typename }", "application/graphql", "Content-Type"),
    ],
)
async def test_malformed_requests_are_bad_request_json(
    gateway: Gateway, calls: CallRecorder, content: bytes, content_type: str, needle: str
) -> None:
    response = await gateway.http.post(
        "/graphql", content=content, headers={**KEY, "Content-Type": content_type}
    )
    body = assert_json_error(response, 400, "BAD_REQUEST")
    assert needle in body["errors"][0]["message"]
    assert calls.count() == 0


async def test_http_level_errors_are_json(gateway: Gateway) -> None:
    assert_json_error(await gateway.http.get("/nowhere", headers=KEY), 404, "NOT_FOUND")
    put = await gateway.http.put("/graphql", headers=KEY, json={"query": "{ __typename }"})
    assert_json_error(put, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in put.headers["allow"]
    assert_json_error(await gateway.http.delete("/healthz"), 405, "METHOD_NOT_ALLOWED")
    # OPTIONS without a preflight's headers: the key layer lets OPTIONS through unread.
    options = await gateway.http.options("/graphql", headers=KEY)
    assert_json_error(options, 401, "UNAUTHENTICATED")
    head = await gateway.http.head("/graphql", headers=KEY)
    assert head.status_code == 405
    mutation_by_get = await gateway.http.get(
        "/graphql",
        params={"query": 'mutation { setListingStatus(id: "x") { __typename } }'},
        headers=KEY,
    )
    assert_json_error(mutation_by_get, 400, "BAD_REQUEST")
    unknown_op = await gateway.http.post(
        "/graphql", json={"query": "query A { __typename }", "operationName": "B"}, headers=KEY
    )
    assert_json_error(unknown_op, 400, "BAD_REQUEST")
    no_key = await gateway.http.post("/graphql", json={"query": "{ __typename }"})
    assert_json_error(no_key, 401, "UNAUTHENTICATED")


async def test_an_unhandled_exception_is_a_json_500_without_details(
    ddb: Any, settings: Settings
) -> None:
    async with gateway_with(ddb, settings, {"kicks": Limits()}, seed=False) as gw:

        async def boom(request: Request) -> None:
            raise RuntimeError("arn:aws:dynamodb:us-east-1:123456789012:table/secret botocore")

        gw.app.router.routes.append(Route("/boom", boom))
        response = await gw.http.get("/boom", headers=KEY)
    body = assert_json_error(response, 500, "INTERNAL_SERVER_ERROR")
    assert body["errors"][0]["extensions"]["requestId"] in body["errors"][0]["message"]
    assert "arn:aws" not in response.text
    assert "botocore" not in response.text


async def test_store_errors_never_reveal_tables_arns_or_botocore(
    ddb: Any, settings: Settings
) -> None:
    async with (
        own_client(settings) as client,
        gateway_with(ddb, settings, {"kicks": Limits()}, seed=False, client=client) as gw,
    ):
        table = gw.tenants["kicks"].tables.listings

        def not_found(request: Any, **_: Any) -> Any:
            message = (
                f"Requested resource not found: Table: {table} not found "
                f"(arn:aws:dynamodb:us-east-1:123456789012:table/{table})"
            )
            return aws_response(
                request.url,
                400,
                {
                    "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                    "message": message,
                },
            )

        with injected(client, not_found):
            response = await gw.post('{ listing(id: "lst-0001") { id } }')
    body = response.json()
    assert codes(body) == ["INTERNAL_SERVER_ERROR"]
    for needle in (table, "arn:aws", "botocore", "Traceback", "ResourceNotFound"):
        assert needle not in response.text


def test_an_error_without_a_known_code_is_masked() -> None:
    leaked = {"message": "botocore said: arn:aws:...", "path": ["listing"], "extensions": {}}
    masked = known_or_masked(leaked, "req-1")
    assert masked["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1"}
    assert masked["path"] == ["listing"]
    assert "botocore" not in json.dumps(masked)
    known = {"message": "fine", "extensions": {"code": "BAD_USER_INPUT"}}
    assert known_or_masked(known, "req-1") is known
    assert "INTERNAL_SERVER_ERROR" in ERROR_CODES


async def test_healthz_is_cheap(gateway: Gateway, calls: CallRecorder) -> None:
    response = await gateway.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert calls.count() == 0


# -- introspection and suggestions per stage --------------------------------------------

TYPO = '{ listing(id: "lst-0001") { titl } }'
ENUM_TYPO = (
    'query($s: ListingStatus) { seller(id: "sel-001") { '
    "listings(first: 1, status: $s) { edges { node { id } } } } }"
)


async def test_dev_and_test_stages_allow_introspection_and_suggestions(gateway: Gateway) -> None:
    introspection = await gateway.gql(get_introspection_query())
    assert "errors" not in introspection
    assert introspection["data"]["__schema"]["queryType"]["name"] == "Query"
    typo = await gateway.gql(TYPO)
    assert "Did you mean 'title'?" in typo["errors"][0]["message"]


async def test_prod_hides_introspection_and_suggestions_except_from_admin_keys(
    ddb: Any, settings: Settings, calls: CallRecorder
) -> None:
    prod = Settings(
        stage="prod",
        dynamodb_endpoint=settings.dynamodb_endpoint,
        cursor_secret=SecretStr("prod-test-secret-" + "x" * 32),
    )
    assert not prod.introspection_enabled
    assert not prod.field_suggestions_enabled
    async with gateway_with(ddb, prod, {"kicks": Limits()}) as gw:
        calls.reset()
        refused = await gw.gql(get_introspection_query(), scope="read")
        assert set(codes(refused)) == {"GRAPHQL_VALIDATION_FAILED"}
        assert "introspection" in refused["errors"][0]["message"]
        assert "__type" not in json.dumps(refused.get("data") or {})
        assert calls.count() == 0
        admin = await gw.gql(get_introspection_query(), scope="admin")
        assert "errors" not in admin
        assert "__typename" in json.dumps(await gw.gql("{ __typename }"))  # not introspection

        for document, variables in ((TYPO, None), (ENUM_TYPO, {"s": "ACTIV"})):
            hidden = await gw.gql(document, variables, scope="read")
            assert codes(hidden) in (["GRAPHQL_VALIDATION_FAILED"], ["BAD_USER_INPUT"]), hidden
            assert "Did you mean" not in json.dumps(hidden)
            shown = await gw.gql(document, variables, scope="admin")
            assert "Did you mean" in json.dumps(shown)
