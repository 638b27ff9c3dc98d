"""Schemathesis over every demo tenant's schema: generated GraphQL documents, valid and
invalid, against the real app on DynamoDB Local.

The custom check (the default `not_a_server_error` fails on any GraphQL `errors`
array): no HTTP 5xx, every error code in graph.errors.ERROR_CODES, and no `Traceback`,
`botocore`, `arn:aws` or physical table name of any tenant in a response.

`make test` sends FUZZ_EXAMPLES (default 500) documents per tenant schema with a fixed
seed; `make fuzz` (mk/fuzz.mk) sends more, with a random seed.

Schemathesis' own clients run the app in another thread and event loop, where the
session's aioboto3 client cannot go, so Hypothesis runs in a worker thread and each
request is sent on the test's loop through the in-process ASGI transport.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import (
    BooleanValueNode,
    FieldNode,
    FloatValueNode,
    GraphQLError,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    get_introspection_query,
    parse,
)
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from graph.errors import ERROR_CODES
from graph.registry.tenants import load_registry
from graph.settings import Settings
from tests.conftest import raw_key
from tests.limits.test_limits import gateway_with

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
#: A fixed seed unless FUZZ_SEED says otherwise ("random" for a fresh one).
FUZZ_SEED = os.environ.get("FUZZ_SEED", "20240601")
ALWAYS_FORBIDDEN = ("Traceback", "botocore", "arn:aws")


def _value_node(value: Any) -> ValueNode:
    """A JSON value as a GraphQL literal (the JSON scalar's input)."""
    if isinstance(value, dict):
        return ObjectValueNode(
            fields=tuple(
                ObjectFieldNode(name=NameNode(value=k), value=_value_node(v))
                for k, v in value.items()
            )
        )
    if isinstance(value, list):
        return ListValueNode(values=tuple(_value_node(v) for v in value))
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return FloatValueNode(value=repr(value))
    if value is None:
        return NullValueNode()
    return StringValueNode(value=str(value))


# Strategies for the custom scalars, so generated documents execute the fields that take
# them: mostly valid values in the API's wire formats, some noise.
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**6).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.text(max_size=12),
    ).map(lambda text: StringValueNode(value=text)),
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        st.text(max_size=30),
    ).map(lambda text: StringValueNode(value=text)),
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.from_regex(r"\A[a-z][a-zA-Z0-9]{0,8}\Z"), children, max_size=4)
    ),
    max_leaves=12,
)
schemathesis.graphql.scalar("JSON", _JSON.map(_value_node))
# Ints: mostly in the API's page range (`first` 1..100), so documents that page execute;
# the rest anywhere in GraphQL's 32-bit range.
schemathesis.graphql.scalar(
    "Int",
    st.one_of(st.integers(1, 100), st.integers(-(2**31), 2**31 - 1)).map(
        lambda n: IntValueNode(value=str(n))
    ),
)


def root_fields(document: str) -> dict[str, str]:
    """Response key -> `operation.field` for the root fields a generated document selects."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return {}
    return {
        (selection.alias or selection.name).value: (f"{op.operation.value}.{selection.name.value}")
        for op in parsed.definitions
        if isinstance(op, OperationDefinitionNode)
        for selection in op.selection_set.selections
        if isinstance(selection, FieldNode)
    }


def clean_fields(document: str, body: dict[str, Any]) -> set[str]:
    """The root fields that ran without an error: all of them when the response has no
    errors; with field errors (each has a `path`), those no error's path starts at."""
    fields = root_fields(document)
    errors = body.get("errors") or []
    if any(not error.get("path") for error in errors) or body.get("data") is None:
        return set() if errors else set(fields.values())
    failed = {error["path"][0] for error in errors}
    return {name for key, name in fields.items() if key not in failed}


def executed_fields(document: str, body: dict[str, Any]) -> set[str]:
    """The root fields whose resolvers ran: their key is in `data` (even as null), or a
    field error's path starts at it (a non-null field's error nulls `data` itself)."""
    data = body.get("data")
    keys = set(data) if isinstance(data, dict) else set()
    keys |= {e["path"][0] for e in body.get("errors") or () if e.get("path")}
    return {name for key, name in root_fields(document).items() if key in keys}


def leak_check(forbidden: tuple[str, ...]) -> Callable[..., None]:
    def no_leaks(ctx: Any, response: Any, case: Any) -> None:
        """Rejections are fine; 5xx, unknown codes and internals in a response are not."""
        assert response.status_code < 500, f"HTTP {response.status_code}: {response.content!r}"
        text = response.content.decode("utf-8", "replace")
        for needle in forbidden:
            assert needle not in text, f"{needle!r} leaked: {text[:500]}"
        body = json.loads(text)
        for error in body.get("errors") or ():
            code = (error.get("extensions") or {}).get("code")
            assert code in ERROR_CODES, f"code {code!r} is not in ERROR_CODES: {error}"
            # A masked internal error is a bug the input reached, whatever the HTTP status.
            assert code != "INTERNAL_SERVER_ERROR", f"masked internal error: {text[:500]}"

    return no_leaks


def fuzz(
    schema: Any,
    send: Callable[[str], httpx.Response],
    check: Callable[..., None],
    count: int,
    outcomes: Counter[str],
    clean: Counter[str],
    executed: Counter[str],
) -> int:
    sent = 0
    strategy = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal sent
        response = send(case.body)
        sent += 1
        case.validate_response(response, checks=[check])
        errors = response.json().get("errors") or [{"extensions": {"code": "ok"}}]
        outcomes.update({e["extensions"]["code"] for e in errors})
        clean.update(clean_fields(case.body, response.json()))
        executed.update(executed_fields(case.body, response.json()))

    if FUZZ_SEED != "random":
        run = seed(int(FUZZ_SEED))(run)
    run()
    return sent


def introspected_roots(introspection: dict[str, Any], kind: str) -> list[str]:
    schema = introspection["data"]["__schema"]
    root = (schema.get(kind) or {}).get("name")
    for named in schema["types"]:
        if named["name"] == root:
            return [field["name"] for field in named["fields"]]
    return []


async def test_generated_documents_never_fail_or_leak(
    ddb: Any, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = load_registry(settings.tenants_dir, settings.stage)
    limits = {tenant_id: tenant.limits for tenant_id, tenant in registry.tenants.items()}
    assert limits, "no demo tenants in the registry"
    async with gateway_with(ddb, settings, limits) as gw:
        tables = tuple(name for tenant in gw.tenants.values() for name in tenant.tables.all())
        check = leak_check((*ALWAYS_FORBIDDEN, *tables))
        loop = asyncio.get_running_loop()
        for tenant_id in limits:
            headers = {"X-Api-Key": raw_key(tenant_id, "admin")}
            introspection = await gw.gql(get_introspection_query(), tenant=tenant_id)
            schema = schemathesis.graphql.from_dict(introspection)

            def send(document: str, headers: dict[str, str] = headers) -> httpx.Response:
                request = gw.http.post("/graphql", json={"query": document}, headers=headers)
                return asyncio.run_coroutine_threadsafe(request, loop).result()

            outcomes: Counter[str] = Counter()
            clean: Counter[str] = Counter()
            executed: Counter[str] = Counter()
            started = time.perf_counter()
            sent = await asyncio.to_thread(
                fuzz, schema, send, check, FUZZ_EXAMPLES, outcomes, clean, executed
            )
            elapsed = time.perf_counter() - started
            report = (
                f"\nschemathesis: {sent} documents for tenant {tenant_id} in {elapsed:.1f} s; "
                f"responses by code: {dict(outcomes.most_common())}"
            )
            fields = sorted(
                f"query.{name}" for name in introspected_roots(introspection, "queryType")
            ) + sorted(
                f"mutation.{name}" for name in introspected_roots(introspection, "mutationType")
            )
            report += "\n  ran without errors / executed, per root field: " + ", ".join(
                f"{name} {clean[name]}/{executed[name]}" for name in fields
            )
            with capsys.disabled():  # shown in `make test` and `make fuzz` output alike
                print(report)
            assert sent >= FUZZ_EXAMPLES
            assert outcomes["INTERNAL_SERVER_ERROR"] == 0
            # Every root field is reached: some generated documents pass validation and
            # run its resolver (with or without a field error, e.g. a random cursor).
            unreached = [name for name in fields if not executed[name]]
            assert not unreached, f"no generated document executed {unreached}"
