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
from typing import Any

import httpx
import schemathesis
from graphql import get_introspection_query
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from graph.errors import ERROR_CODES
from graph.settings import Settings
from graph.tenancy import load_registry
from tests.conftest import raw_key
from tests.test_limits import gateway_with

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
#: A fixed seed unless FUZZ_SEED says otherwise ("random" for a fresh one).
FUZZ_SEED = os.environ.get("FUZZ_SEED", "20240601")
ALWAYS_FORBIDDEN = ("Traceback", "botocore", "arn:aws")

# The schema's Decimal scalar (money) travels as a string: mostly decimals, some noise.
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.text(max_size=12),
    ).map(schemathesis.graphql.nodes.String),
)


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

    return no_leaks


def fuzz(
    schema: Any,
    send: Callable[[str], httpx.Response],
    check: Callable[..., None],
    count: int,
    outcomes: Counter[str],
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

    if FUZZ_SEED != "random":
        run = seed(int(FUZZ_SEED))(run)
    run()
    return sent


async def test_generated_documents_never_fail_or_leak(ddb: Any, settings: Settings) -> None:
    registry = load_registry(settings.tenants_dir, settings.stage)
    limits = {tenant_id: tenant.limits for tenant_id, tenant in registry.tenants.items()}
    assert limits, "no demo tenants in the registry"
    async with gateway_with(ddb, settings, limits) as gw:
        tables = tuple(name for tenant in gw.tenants.values() for name in tenant.tables.all())
        check = leak_check((*ALWAYS_FORBIDDEN, *tables))
        loop = asyncio.get_running_loop()
        for tenant_id in limits:
            headers = {"X-Api-Key": raw_key(tenant_id, "write")}
            introspection = await gw.gql(get_introspection_query(), tenant=tenant_id)
            schema = schemathesis.graphql.from_dict(introspection)

            def send(document: str, headers: dict[str, str] = headers) -> httpx.Response:
                request = gw.http.post("/graphql", json={"query": document}, headers=headers)
                return asyncio.run_coroutine_threadsafe(request, loop).result()

            outcomes: Counter[str] = Counter()
            started = time.perf_counter()
            sent = await asyncio.to_thread(fuzz, schema, send, check, FUZZ_EXAMPLES, outcomes)
            elapsed = time.perf_counter() - started
            print(
                f"\nschemathesis: {sent} documents for tenant {tenant_id} in {elapsed:.1f} s; "
                f"responses by code: {dict(outcomes.most_common())}"
            )
            assert sent >= FUZZ_EXAMPLES
