"""The Lambda entry points against DynamoDB Local, with the sample events in tests/samples/.

The gateway handler is synchronous and runs its own event loop, so the tests call it in
a worker thread (`asyncio.to_thread`); the DynamoDB client it uses is its own, opened on
its loop, never the session's `ddb` (which belongs to the test loop).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.stub import Stubber

import graph.store
import graph.tenancy.runtime
from graph.lambdas import audit as audit_lambda
from graph.lambdas import bootstrap
from graph.lambdas import gateway as gateway_lambda
from graph.local import demo
from graph.registry.tenants import Registry, RegistryError, Tenant
from graph.settings import Settings
from graph.store import delete_tables
from tests.conftest import make_gateway, raw_key

EVENTS = Path(__file__).parents[1] / "samples"
ORIGIN = "https://kicks.example"
SSM_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/resale-graph/test/cursor-secret"
SM_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:resale-graph/cursor-AbCdEf"
#: The kicks dev read key (tenants/registry/kicks.toml, README), accepted in stage test.
KICKS_DEV_READ = "rg_kicks-dev-read_kicksDevReadKey0001"


class Context(LambdaContext):
    """A Lambda context with what Powertools' Logger reads."""

    _function_name = "test-kicks-graph-gateway"
    _memory_limit_in_mb = 1024
    _invoked_function_arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:test-kicks-graph-gateway"
    )
    _aws_request_id = "5f3a9b1c-0d2e-4f6a-8b7c-9d0e1f2a3b4c"


def event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return loaded


def _reset_lambdas() -> None:
    gateway_lambda.reset_gateway()
    audit_lambda.reset_audit()


async def gateway_call(sample: dict[str, Any]) -> dict[str, Any]:
    return await asyncio.to_thread(gateway_lambda.gateway_handler, sample, Context())


async def audit_call(sample: dict[str, Any]) -> dict[str, Any]:
    return await asyncio.to_thread(audit_lambda.audit_handler, sample, Context())


def body(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


def title(listing_id: str) -> str:
    listing = next(x for x in demo.dataset("kicks")["listings"] if x["listingId"] == listing_id)
    return str(listing["title"])


@pytest.fixture(autouse=True)
async def fresh_environment() -> AsyncIterator[None]:
    """Each test is a new execution environment: nothing cached before, all closed after."""
    await asyncio.to_thread(_reset_lambdas)
    yield
    await asyncio.to_thread(_reset_lambdas)


@pytest.fixture
async def kicks(ddb: Any, settings: Settings) -> AsyncIterator[Tenant]:
    """The kicks tenant with fresh, seeded tables."""
    gw, tenants = await make_gateway(ddb, settings)
    await gw.http.aclose()
    try:
        yield tenants[0]
    finally:
        await delete_tables(ddb, tenants[0].tables)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Records every DynamoDB client the Runtime opens, the loop it was opened on, and the
    loop each DynamoDB call ran on (a botocore `before-call` hook)."""
    seen: dict[str, list[Any]] = {"clients": [], "open_loops": [], "call_loops": []}
    real_open = graph.store.open_dynamodb

    @asynccontextmanager
    async def recording_open(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with real_open(*args, **kwargs) as client:
            seen["clients"].append(client)
            seen["open_loops"].append(asyncio.get_running_loop())

            def on_call(**_: Any) -> None:
                seen["call_loops"].append(asyncio.get_running_loop())

            client.meta.events.register("before-call.dynamodb", on_call)
            yield client

    monkeypatch.setattr(graph.tenancy.runtime, "open_dynamodb", recording_open)
    return seen


# -- the gateway ---------------------------------------------------------------------


def test_sample_events_carry_the_test_tenants_key() -> None:
    assert event("apigw-http-v2-post-graphql")["headers"]["x-api-key"] == raw_key("kicks", "read")
    assert event("apigw-rest-v1-post-graphql")["headers"]["X-Api-Key"] == raw_key("kicks", "read")


async def test_http_api_and_rest_api_posts_share_one_app_client_and_loop(
    kicks: Tenant, settings: Settings, opened: dict[str, list[Any]]
) -> None:
    built = await asyncio.to_thread(
        gateway_lambda.configure_gateway, settings, Registry([kicks], settings.stage)
    )
    expected = {"id": "lst-0001", "title": title("lst-0001")}

    v2 = await gateway_call(event("apigw-http-v2-post-graphql"))
    assert v2["statusCode"] == 200, v2
    assert {k: body(v2)["data"]["listing"][k] for k in expected} == expected
    assert v2["headers"]["access-control-allow-origin"] == ORIGIN
    first_client = built.runtime._clients[(settings.region, None)]

    v1 = await gateway_call(event("apigw-rest-v1-post-graphql"))
    assert v1["statusCode"] == 200, v1
    assert {k: body(v1)["data"]["listing"][k] for k in expected} == expected
    assert v1["headers"]["access-control-allow-origin"] == ORIGIN

    # API Gateway may base64-encode a body: Mangum decodes it.
    encoded = event("apigw-http-v2-post-graphql")
    encoded["body"] = base64.b64encode(encoded["body"].encode()).decode()
    encoded["isBase64Encoded"] = True
    v2_b64 = await gateway_call(encoded)
    assert body(v2_b64)["data"]["listing"]["title"] == expected["title"]

    # One execution environment: one gateway, app and runtime; one client, opened once,
    # on the gateway's loop; every DynamoDB call of the three invocations ran on it.
    assert gateway_lambda.gateway() is built
    assert built.invocations == 3
    assert built.app.state.runtime is built.runtime
    assert len(opened["clients"]) == 1
    assert list(built.runtime._clients.values()) == [first_client]
    assert opened["clients"][0] is first_client
    assert opened["open_loops"] == [built.loop]
    assert len(opened["call_loops"]) >= 3
    assert set(opened["call_loops"]) == {built.loop}
    assert not built.loop.is_closed()
    assert built.runtime.graph_for(kicks).schema(private=False) is built.runtime.graph_for(
        kicks
    ).schema(private=False)


async def test_a_cleared_current_loop_does_not_strand_the_client(
    kicks: Tenant, settings: Settings, opened: dict[str, list[Any]]
) -> None:
    """Plain Mangum runs on the thread's current loop: an `asyncio.run()` in between (any
    library may call one) clears it, and Mangum's next call fails with "no current event
    loop"; a fresh loop would strand the cached client. The gateway reinstates its own."""
    built = await asyncio.to_thread(
        gateway_lambda.configure_gateway, settings, Registry([kicks], settings.stage)
    )

    def invoke_clear_invoke() -> list[int]:
        first = gateway_lambda.gateway_handler(event("apigw-http-v2-post-graphql"), Context())
        asyncio.run(asyncio.sleep(0))  # leaves this thread without a current loop
        second = gateway_lambda.gateway_handler(event("apigw-rest-v1-post-graphql"), Context())
        return [first["statusCode"], second["statusCode"]]

    assert await asyncio.to_thread(invoke_clear_invoke) == [200, 200]
    assert len(opened["clients"]) == 1
    assert set(opened["call_loops"]) == {built.loop}


async def test_healthz_answers_without_opening_a_client(
    kicks: Tenant, settings: Settings, opened: dict[str, list[Any]]
) -> None:
    await asyncio.to_thread(
        gateway_lambda.configure_gateway, settings, Registry([kicks], settings.stage)
    )
    for name in ("apigw-http-v2-get-healthz", "apigw-rest-v1-get-healthz"):
        response = await gateway_call(event(name))
        assert response["statusCode"] == 200, (name, response)
        assert body(response) == {"status": "ok"}
    assert opened["clients"] == []


async def test_cors_preflight_for_allowed_and_unknown_origins(
    kicks: Tenant, settings: Settings
) -> None:
    await asyncio.to_thread(
        gateway_lambda.configure_gateway, settings, Registry([kicks], settings.stage)
    )
    v2 = await gateway_call(event("apigw-http-v2-options-graphql"))
    assert v2["statusCode"] == 204, v2
    assert v2["headers"]["access-control-allow-origin"] == ORIGIN
    assert "x-api-key" in v2["headers"]["access-control-allow-headers"].lower()

    v1 = await gateway_call(event("apigw-rest-v1-options-graphql"))
    assert v1["statusCode"] == 204, v1
    assert v1["headers"]["access-control-allow-origin"] == ORIGIN

    stranger = event("apigw-http-v2-options-graphql")
    stranger["headers"]["origin"] = "https://evil.example"
    refused = await gateway_call(stranger)
    assert refused["statusCode"] == 403
    assert "access-control-allow-origin" not in refused["headers"]
    assert "https://evil.example" in refused["body"]


async def test_production_path_builds_once_from_the_environment(
    kicks: Tenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    opened: dict[str, list[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What the Terraform module sets (lambda.tf): the secret by ARN, the tenant and its
    tables. The packaged registry (tenants/registry/kicks.toml) and its dev key are used."""
    secret = "cursor-secret-from-ssm-0123456789abcdef"
    fetched: list[str] = []

    def fake_fetch(arn: str, *, client: Any | None = None) -> str:
        fetched.append(arn)
        return secret

    monkeypatch.setattr(bootstrap, "fetch_cursor_secret", fake_fetch)
    monkeypatch.delenv("GRAPH_CURSOR_SECRET", raising=False)
    environment = {
        "GRAPH_STAGE": "test",
        "GRAPH_REGION": settings.region,
        "GRAPH_DYNAMODB_ENDPOINT": str(settings.dynamodb_endpoint),
        "GRAPH_CURSOR_SECRET_ARN": SSM_ARN,
        "GRAPH_TENANT_ID": "kicks",
        "GRAPH_TABLE_LISTINGS": kicks.tables.listings,
        "GRAPH_TABLE_SELLERS": kicks.tables.sellers,
        "GRAPH_TABLE_HISTORY": kicks.tables.history,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert fetched == []  # importing the module fetched nothing; neither did set-up

    page = event("apigw-http-v2-post-graphql")
    page["headers"]["x-api-key"] = KICKS_DEV_READ
    query = """query($after: String) { productListings(productId: "prd-001", first: 1,
        after: $after) { edges { node { id } } pageInfo { endCursor } } }"""
    page["body"] = json.dumps({"query": query, "variables": {}})
    first = body(await gateway_call(page))
    assert "errors" not in first, first
    cursor = first["data"]["productListings"]["pageInfo"]["endCursor"]

    page["body"] = json.dumps({"query": query, "variables": {"after": cursor}})
    second = body(await gateway_call(page))
    assert "errors" not in second, second  # signed and checked with the same fetched key
    assert second["data"]["productListings"]["edges"] != first["data"]["productListings"]["edges"]

    other = event("apigw-http-v2-post-graphql")
    other["headers"]["x-api-key"] = "rg_threads-dev-read_threadsDevReadKey0001"
    assert (await gateway_call(other))["statusCode"] == 401  # not this account's tenant

    built = gateway_lambda.gateway()
    assert fetched == [SSM_ARN]
    assert built.invocations == 3
    assert len(opened["clients"]) == 1
    assert built.settings.cursor_secret.get_secret_value() == secret
    assert sorted(built.runtime.registry.tenants) == ["kicks"]
    assert built.runtime.registry.tenants["kicks"].tables == kicks.tables
    logged = capsys.readouterr()
    assert "gateway cold start" in logged.out
    assert '"cursorSecretSource":"ssm"' in logged.out.replace(" ", "")
    assert secret not in logged.out + logged.err


def test_plaintext_secret_skips_the_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fetch(arn: str, *, client: Any | None = None) -> str:
        raise AssertionError("fetched although GRAPH_CURSOR_SECRET is set")

    monkeypatch.setattr(bootstrap, "fetch_cursor_secret", no_fetch)
    monkeypatch.setenv("GRAPH_CURSOR_SECRET", "plaintext-local-secret")
    monkeypatch.setenv("GRAPH_CURSOR_SECRET_ARN", SSM_ARN)
    env = bootstrap.LambdaEnvironment()
    assert bootstrap.secret_source(env) == "environment"
    settings = bootstrap.gateway_settings(env)
    assert settings.cursor_secret.get_secret_value() == "plaintext-local-secret"

    # An empty plaintext variable is no secret: the ARN is fetched.
    monkeypatch.setenv("GRAPH_CURSOR_SECRET", "")
    monkeypatch.setattr(bootstrap, "fetch_cursor_secret", lambda arn: f"fetched:{arn}")
    settings = bootstrap.gateway_settings()
    assert settings.cursor_secret.get_secret_value() == f"fetched:{SSM_ARN}"


def test_audit_settings_need_no_secret_in_prod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_STAGE", "prod")
    monkeypatch.delenv("GRAPH_CURSOR_SECRET", raising=False)
    monkeypatch.delenv("GRAPH_CURSOR_SECRET_ARN", raising=False)
    with pytest.raises(ValueError, match="GRAPH_CURSOR_SECRET must be a random secret"):
        bootstrap.gateway_settings()
    settings = bootstrap.audit_settings()
    assert settings.stage == "prod"
    assert len(settings.cursor_secret.get_secret_value()) >= 32


def _stubbed(service: str, region: str) -> tuple[Any, Stubber]:
    client = boto3.client(
        service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def test_fetch_from_ssm_decrypts_by_arn() -> None:
    client, stub = _stubbed("ssm", "us-east-1")
    stub.add_response(
        "get_parameter",
        {"Parameter": {"Name": "/resale-graph/test/cursor-secret", "Value": "from-ssm"}},
        {"Name": SSM_ARN, "WithDecryption": True},
    )
    with stub:
        assert bootstrap.fetch_cursor_secret(SSM_ARN, client=client) == "from-ssm"
    stub.assert_no_pending_responses()


def test_fetch_from_secrets_manager_by_arn() -> None:
    client, stub = _stubbed("secretsmanager", "eu-west-1")
    stub.add_response(
        "get_secret_value",
        {"Name": "resale-graph/cursor", "SecretString": "from-sm"},
        {"SecretId": SM_ARN},
    )
    with stub:
        assert bootstrap.fetch_cursor_secret(SM_ARN, client=client) == "from-sm"
    stub.assert_no_pending_responses()


def test_fetch_refuses_what_is_not_a_secret_arn() -> None:
    with pytest.raises(ValueError, match="GRAPH_CURSOR_SECRET_ARN must be"):
        bootstrap.fetch_cursor_secret("/resale-graph/test/cursor-secret")


def test_registry_is_narrowed_to_the_accounts_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(stage="test", region="eu-central-1")
    monkeypatch.setenv("GRAPH_TENANT_ID", "threads")
    for name in ("LISTINGS", "SELLERS", "HISTORY"):
        monkeypatch.setenv(f"GRAPH_TABLE_{name}", f"test-threads-{name.lower()}-x")
    registry = bootstrap.lambda_registry(settings)
    (tenant,) = registry.tenants.values()
    assert tenant.id == "threads"
    assert tenant.tables.listings == "test-threads-listings-x"
    assert (tenant.config.region, tenant.config.role_arn) == ("eu-central-1", None)
    assert registry.authenticate("rg_threads-dev-read_threadsDevReadKey0001") is not None
    assert registry.authenticate(KICKS_DEV_READ) is None

    monkeypatch.delenv("GRAPH_TABLE_HISTORY")
    with pytest.raises(RegistryError, match="GRAPH_TABLE_HISTORY"):
        bootstrap.lambda_registry(settings)
    monkeypatch.setenv("GRAPH_TENANT_ID", "nobody")
    with pytest.raises(RegistryError, match="nobody"):
        bootstrap.lambda_registry(settings)


# -- the audit consumer -------------------------------------------------------------


def stream_event(tenant: Tenant) -> dict[str, Any]:
    """The sample batch, its source ARNs pointed at the tenant's fresh tables."""
    sample = event("dynamodb-streams")
    for record in sample["Records"]:
        record["eventSourceARN"] = (
            record["eventSourceARN"]
            .replace("table/test-kicks-listings/", f"table/{tenant.tables.listings}/")
            .replace("table/test-kicks-sellers/", f"table/{tenant.tables.sellers}/")
        )
    return sample


async def history(ddb: Any, tenant: Tenant, entity_id: str) -> list[dict[str, Any]]:
    response = await ddb.query(
        TableName=tenant.tables.history,
        KeyConditionExpression="entityId = :e",
        ExpressionAttributeValues={":e": {"S": entity_id}},
        ConsistentRead=True,
    )
    items: list[dict[str, Any]] = response["Items"]
    return items


async def test_audit_handler_writes_history_and_reports_the_poison_record(
    kicks: Tenant, settings: Settings, ddb: Any
) -> None:
    consumer = await asyncio.to_thread(
        audit_lambda.configure_audit, settings, Registry([kicks], settings.stage)
    )
    sample = stream_event(kicks)
    poison = sample["Records"][2]
    assert "Keys" not in poison["dynamodb"]
    failures = {"batchItemFailures": [{"itemIdentifier": poison["dynamodb"]["SequenceNumber"]}]}

    assert await audit_call(sample) == failures
    listing = await history(ddb, kicks, "listing#lst-9001")
    assert [(e["event"]["S"], e["version"]["N"]) for e in listing] == [
        ("CREATED", "1"),
        ("UPDATED", "2"),
    ]
    seller = await history(ddb, kicks, "seller#sel-001")
    assert [(e["event"]["S"], e["actor"]["S"]) for e in seller] == [("UPDATED", "kicks-test-admin")]
    assert consumer.written == 3

    # Lambda redelivers the batch: same consumer, same answer, nothing written twice.
    assert await audit_call(stream_event(kicks)) == failures
    assert audit_lambda.audit_consumer() is consumer
    assert (consumer.written, consumer.duplicates) == (3, 3)
    assert len(await history(ddb, kicks, "listing#lst-9001")) == 2
