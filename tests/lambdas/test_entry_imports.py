"""Each Lambda entry point imports only what its function serves (issue 31).

Checked in a fresh interpreter (a subprocess): the modules loaded after importing the
entry point, and after the gateway's first invocation on DynamoDB Local. The test venv
has httpx, which aiobotocore imports when it can, and httpx's CLI pulls click, pygments
and rich; dist/lambda.zip has no httpx. The first-invocation check therefore makes
httpx unimportable first, as it is in the zip; the import check needs no such help,
since the entry point no longer imports aioboto3.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from graph.registry.tenants import Tenant
from graph.settings import Settings
from graph.store import delete_tables
from tests.conftest import make_gateway

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "samples"

#: Never in the gateway function: the audit consumer, the CLI, the dev stack and the
#: CLI's dependencies.
GATEWAY_NEVER = (
    "graph.audit",
    "graph.cli",
    "graph.local",
    "rich",
    "click",
    "pygments",
    "uvicorn",
    "aws_lambda_powertools.utilities.batch",
)
#: Not at import either: what the first invocation loads (or SnapStart's init primes).
GATEWAY_NOT_AT_IMPORT = ("aioboto3", "aiobotocore", "aiohttp", "jsonschema", "yaml", "mangum")
#: Not in a first invocation that attaches no photo: the decoder (Pillow, blurhash) loads
#: with the first photo it processes.
PHOTO_DECODER = ("PIL", "blurhash", "graph.photos.processing")

PROBE = """
import json, sys
if {block_httpx}:
    sys.modules["httpx"] = None  # as in dist/lambda.zip: ImportError
import importlib
module = importlib.import_module({module!r})
answer = None
if {event!r}:
    class Context:
        function_name = "probe"
        memory_limit_in_mb = 1024
        aws_request_id = "probe"
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:probe"
        def get_remaining_time_in_millis(self):
            return 30000
    response = module.gateway_handler(json.loads({event!r}), Context())
    answer = json.loads(response["body"])
print(json.dumps({{"modules": sorted(sys.modules), "answer": answer}}))
"""


def probe(
    module: str, *, env: dict[str, str] | None = None, event: str = "", block_httpx: bool = False
) -> dict[str, Any]:
    """Import `module` (and invoke its gateway_handler with `event`) in a fresh
    interpreter; what it loaded, and the answer."""
    code = PROBE.format(module=module, event=event, block_httpx=block_httpx)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPH_", "AWS_"))}
    environ.update(env or {})
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def test_the_gateway_entry_point_imports_neither_audit_nor_cli_nor_rich() -> None:
    modules = probe("graph.lambdas.gateway")["modules"]
    assert "graph.lambdas.gateway" in modules
    assert loaded(modules, GATEWAY_NEVER) == []
    assert loaded(modules, GATEWAY_NOT_AT_IMPORT) == []
    assert loaded(modules, ("graph.app", "strawberry", "starlette")) == []


def test_the_audit_entry_point_imports_neither_the_gateway_nor_the_cli() -> None:
    modules = probe("graph.lambdas.audit")["modules"]
    assert "graph.audit.consumer" in modules  # the probe sees a package when it is there
    never = ("graph.app", "graph.cli", "graph.local", "graph.tenancy", "strawberry", "mangum")
    assert loaded(modules, never) == []


@pytest.fixture
async def kicks(ddb: Any, settings: Settings) -> AsyncIterator[Tenant]:
    gw, tenants = await make_gateway(ddb, settings)
    await gw.http.aclose()
    try:
        yield tenants[0]
    finally:
        await delete_tables(ddb, tenants[0].tables)


async def test_after_the_first_invocation_still_none_of_them(
    kicks: Tenant, settings: Settings
) -> None:
    event = json.loads((EVENTS / "apigw-http-v2-post-graphql.json").read_text())
    event["headers"]["x-api-key"] = "rg_kicks-dev-read_kicksDevReadKey0001"
    query = '{ productListings(productId: "prd-001", first: 3) { edges { node { id } } } }'
    event["body"] = json.dumps({"query": query})
    env = {
        "GRAPH_STAGE": "test",
        "GRAPH_DYNAMODB_ENDPOINT": str(settings.dynamodb_endpoint),
        "GRAPH_REGION": settings.region,
        "GRAPH_TENANT_ID": "kicks",
        "GRAPH_TABLE_LISTINGS": kicks.tables.listings,
        "GRAPH_TABLE_SELLERS": kicks.tables.sellers,
        "GRAPH_TABLE_HISTORY": kicks.tables.history,
        "GRAPH_METRICS": "false",
    }
    result = probe("graph.lambdas.gateway", env=env, event=json.dumps(event), block_httpx=True)
    assert "errors" not in result["answer"], result["answer"]
    assert len(result["answer"]["data"]["productListings"]["edges"]) == 3
    modules = result["modules"]
    assert "aioboto3" in modules  # the client was opened: the whole path ran
    assert "graph.photos" in modules  # the probe sees the photos package when it is there
    assert loaded(modules, GATEWAY_NEVER) == []
    assert loaded(modules, PHOTO_DECODER) == []
