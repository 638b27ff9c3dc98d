"""Test fixtures: one real DynamoDB Local per session; seeded tenant tables shared by the
session and put back after each test (tests/harness/shared_tables.py), fresh ones on request."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.extensions import indexed_fields
from graph.extensions.parser import load_spec
from graph.local import demo, dynamodb_local
from graph.registry.tenants import ApiKeyConfig, Limits, Registry, Tenant, TenantConfig, hash_secret
from graph.settings import Settings
from graph.store import (
    IndexedField,
    TableNames,
    create_tables,
    delete_tables,
    open_dynamodb,
    put_items,
    with_shop_attributes,
)
from graph.tenancy.runtime import Runtime
from tests.harness.shared_tables import POOL, TableSet

#: Raw development keys of the test tenants, by tenant and scope.
SCOPES = ("read", "write", "admin")


def raw_key(tenant_id: str, scope: str) -> str:
    return f"rg_{tenant_id}-test-{scope}_{tenant_id}TestSecret{scope.title()}01"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `pytest -n N --dist loadgroup` (`make test`), a module runs whole on one
    worker (its module fixtures set up once), and every module that uses the `graph dev`
    stack runs on the same worker, so the session starts one stack, not one per worker."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    for module, tests in modules.items():
        uses_stack = any("dev_stack" in getattr(t, "fixturenames", ()) for t in tests)
        group = "dev-stack" if uses_stack else module
        for test in tests:
            test.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session", autouse=True)
async def no_task_outlives_the_run() -> AsyncIterator[None]:
    """Fails the run if a task a test or fixture started is still alive at the end: work
    that outlives its test lands in later tests (their call counters, their timing)."""
    yield
    current = asyncio.current_task()
    left = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    if left:
        await asyncio.wait(left, timeout=5)  # what is stopping already may finish
        left = [task for task in left if not task.done()]
    for task in left:
        task.cancel()
    assert not left, "tasks still running at the end of the run: " + ", ".join(
        repr(task.get_coro()) for task in left
    )


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    endpoint = os.environ.get("GRAPH_TEST_DYNAMODB_ENDPOINT")
    if endpoint:
        yield endpoint
        return
    running = dynamodb_local.start()
    try:
        yield running.endpoint
    finally:
        dynamodb_local.stop(running.pid)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A local S3 server (SeaweedFS) for the session, started when a test asks for it."""
    from graph.local import s3_local

    running = s3_local.start()
    try:
        yield running.endpoint
    finally:
        s3_local.stop(running.pid)
        shutil.rmtree(running.data, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(dynamodb_endpoint: str) -> Settings:
    return Settings(stage="test", dynamodb_endpoint=dynamodb_endpoint)


@pytest.fixture(scope="session")
async def ddb(settings: Settings) -> AsyncIterator[Any]:
    """The session's one aioboto3 DynamoDB client (as the gateway has one per process)."""
    async with open_dynamodb(settings) as client:
        try:
            yield client
        finally:
            await POOL.close(client)


@dataclass
class CallRecorder:
    """Counts DynamoDB API calls and sequential waves via botocore event hooks."""

    operations: list[str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    waves: int = 0
    in_flight: int = 0

    def params(self, params: dict[str, Any], **_: Any) -> None:
        self.requests.append(dict(params))

    def before(self, model: Any, **_: Any) -> None:
        if self.in_flight == 0:
            self.waves += 1
        self.in_flight += 1
        self.operations.append(model.name)

    def tables(self) -> set[str]:
        """Every table name any recorded request named."""
        names: set[str] = set()
        for request in self.requests:
            if "TableName" in request:
                names.add(request["TableName"])
            names.update(request.get("RequestItems", {}))
            for item in request.get("TransactItems", []):
                names.update(part["TableName"] for part in item.values())
        return names

    def after(self, **_: Any) -> None:
        self.in_flight -= 1

    def reset(self) -> None:
        self.operations.clear()
        self.requests.clear()
        self.waves = 0

    def count(self, operation: str | None = None) -> int:
        if operation is None:
            return len(self.operations)
        return self.operations.count(operation)


@pytest.fixture
def calls(ddb: Any) -> Iterator[CallRecorder]:
    recorder = CallRecorder()
    events = ddb.meta.events
    events.register("before-parameter-build.dynamodb", recorder.params, unique_id="test-params")
    events.register("before-call.dynamodb", recorder.before, unique_id="test-before")
    events.register("after-call.dynamodb", recorder.after, unique_id="test-after")
    events.register("after-call-error.dynamodb", recorder.after, unique_id="test-after-err")
    try:
        yield recorder
    finally:
        events.unregister("before-parameter-build.dynamodb", unique_id="test-params")
        events.unregister("before-call.dynamodb", unique_id="test-before")
        events.unregister("after-call.dynamodb", unique_id="test-after")
        events.unregister("after-call-error.dynamodb", unique_id="test-after-err")


def make_tenant(
    tenant_id: str,
    run: str,
    origins: tuple[str, ...] = (),
    limits: Limits | None = None,
    tables: TableNames | None = None,
) -> Tenant:
    keys = tuple(
        ApiKeyConfig(
            id=f"{tenant_id}-test-{scope}",
            sha256=hash_secret(raw_key(tenant_id, scope).split("_", 2)[2]),
            scopes=frozenset({scope}),  # type: ignore[arg-type]
        )
        for scope in SCOPES
    )
    config = TenantConfig(
        id=tenant_id, name=tenant_id.title(), keys=keys, origins=origins, limits=limits or Limits()
    )
    names = {name: f"t{run}-{tenant_id}-{name}" for name in ("listings", "sellers", "history")}
    return Tenant(config=config, tables=tables or TableNames.from_mapping(names))


@dataclass
class Gateway:
    """An app wired to its tenants' tables, and a way to send GraphQL to it. `fresh`: the
    tables were made for this gateway (not leased from the session's pool)."""

    app: Any
    runtime: Runtime
    http: httpx.AsyncClient
    tenants: dict[str, Tenant]
    fresh: bool = True

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: str = "kicks",
        scope: str = "read",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"X-Api-Key": raw_key(tenant, scope), **(headers or {})}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )

    async def gql(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        response = await self.post(query, variables, **kw)
        return response.json()


def indexed_of(settings: Settings, tenant_id: str) -> list[IndexedField]:
    """The shop indexes of the tenant's indexed custom fields, from its declaration."""
    return IndexedField.of(indexed_fields(load_spec(settings.tenants_dir, tenant_id)))


async def create_tenant_tables(
    ddb: Any, settings: Settings, tenant: Tenant, catalog: str | None
) -> None:
    """A test tenant's tables as the dev stack makes them (with the shop's indexes of the
    tenant's indexed fields), seeded with the demo `catalog` unless it is None."""
    indexed = indexed_of(settings, tenant.id)
    await create_tables(ddb, tenant.tables, indexed=indexed)
    if catalog is not None:
        data = demo.dataset(tenant.id, catalog if catalog in demo.CATALOGS else "kicks")
        listings = [with_shop_attributes(item, indexed) for item in data["listings"]]
        await put_items(ddb, tenant.tables.listings, listings)
        await put_items(ddb, tenant.tables.sellers, data["sellers"])


async def lease_tenant_tables(
    ddb: Any, settings: Settings, tenant_id: str, catalog: str | None
) -> TableSet:
    """Seeded (or, with `catalog` None, empty) tables for `tenant_id` from the session's
    pool: made once, put back to their seed state when released."""
    identity = (tenant_id, catalog, repr(indexed_of(settings, tenant_id)))

    async def create(names: TableNames) -> None:
        await create_tenant_tables(ddb, settings, make_tenant(tenant_id, "", tables=names), catalog)

    return await POOL.lease(ddb, identity, tenant_id, create)


async def make_gateway(
    ddb: Any,
    settings: Settings,
    tenant_ids: tuple[str, ...] = ("kicks",),
    *,
    batching: bool = True,
    seed: bool = True,
    catalogs: dict[str, str] | None = None,
    limits: Limits | dict[str, Limits] | None = None,
    client: Any | None = None,
    s3: Any | None = None,
    tables: dict[str, TableNames] | None = None,
    raise_app_exceptions: bool = True,
) -> tuple[Gateway, list[Tenant]]:
    """A gateway over fresh tables of `tenant_ids` (the caller deletes them), or over
    `tables` already made (by tenant id); `limits` for all tenants or by tenant id."""
    run = uuid.uuid4().hex[:10]
    tenants = [
        make_tenant(
            t,
            run,
            origins=(f"https://{t}.example",),
            limits=limits.get(t) if isinstance(limits, dict) else limits,
            tables=(tables or {}).get(t),
        )
        for t in tenant_ids
    ]
    for tenant in tenants:
        if tables is None:
            await create_tenant_tables(ddb, settings, tenant, catalog_of(tenant.id, seed, catalogs))
    runtime = Runtime(
        settings, Registry(tenants, settings.stage), batching=batching, client=client or ddb, s3=s3
    )
    app = create_app(runtime=runtime, manage_client=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    gw = Gateway(app, runtime, http, {t.id: t for t in tenants}, fresh=tables is None)
    return gw, tenants


def catalog_of(tenant_id: str, seed: bool, catalogs: dict[str, str] | None) -> str | None:
    """The demo catalog a test tenant is seeded with (None: left empty)."""
    return (catalogs or {}).get(tenant_id, tenant_id) if seed else None


@asynccontextmanager
async def open_gateway(
    ddb: Any,
    settings: Settings,
    tenant_ids: tuple[str, ...] = ("kicks",),
    *,
    fresh: bool = False,
    **options: Any,
) -> AsyncIterator[Gateway]:
    """A gateway (`make_gateway`'s options) over tables leased from the session's pool,
    or, with `fresh`, over tables made for it (a test that reads their streams needs
    that). On exit its HTTP client is closed, its runtime's clients and work stopped,
    and its tables put back or deleted: the one teardown every gateway fixture shares."""
    leases: list[TableSet] = []
    try:
        if not fresh:
            seed, catalogs = options.get("seed", True), options.get("catalogs")
            for t in tenant_ids:
                catalog = catalog_of(t, seed, catalogs)
                leases.append(await lease_tenant_tables(ddb, settings, t, catalog))
            options["tables"] = {
                t: lease.names for t, lease in zip(tenant_ids, leases, strict=True)
            }
        gw, tenants = await make_gateway(ddb, settings, tenant_ids, **options)
        try:
            yield gw
        finally:
            await gw.http.aclose()
            await gw.runtime.aclose()
            if fresh:
                for tenant in tenants:
                    await delete_tables(ddb, tenant.tables)
    finally:
        for lease in leases:
            await POOL.release(ddb, lease)


def reads_streams(request: pytest.FixtureRequest) -> bool:
    """Whether the test reads DynamoDB Streams (so its gateway needs fresh tables)."""
    return bool({"audit", "streams"} & set(request.fixturenames))


@asynccontextmanager
async def open_photos_gateway(
    ddb: Any,
    settings: Settings,
    s3_endpoint: str,
    tenant_ids: tuple[str, ...] = ("kicks",),
    *,
    origins: bool = False,
    **options: Any,
) -> AsyncIterator[tuple[Gateway, Any, Settings]]:
    """`open_gateway` with the session's local S3 server: each tenant's photo bucket,
    empty (with CORS for its origins if `origins`), and the gateway's S3 client and
    settings."""
    from graph.store import create_bucket, open_s3

    with_s3 = settings.model_copy(update={"s3_endpoint": s3_endpoint})
    async with (
        open_s3(with_s3) as s3,
        open_gateway(ddb, with_s3, tenant_ids, s3=s3, **options) as gw,
    ):
        for tenant in gw.tenants.values():
            cors = tenant.config.origins if origins else ()
            await create_bucket(s3, tenant.photos_bucket, origins=cors)
            await empty_bucket(s3, tenant.photos_bucket)  # leased tables share a bucket
        yield gw, s3, with_s3


async def empty_bucket(s3: Any, bucket: str) -> None:
    """Delete every object of `bucket`: an earlier test's photos are not this one's."""
    pages = s3.get_paginator("list_objects_v2")
    async for page in pages.paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            await s3.delete_object(Bucket=bucket, Key=item["Key"])


@pytest.fixture
async def gateway(
    ddb: Any, settings: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[Gateway]:
    """The kicks tenant over its seeded tables; fresh ones when the test reads streams."""
    async with open_gateway(ddb, settings, fresh=reads_streams(request)) as gw:
        yield gw


@pytest.fixture(scope="session")
async def streams(settings: Settings) -> AsyncIterator[Any]:
    from graph.store import open_streams

    async with open_streams(settings) as client:
        yield client


@dataclass
class Audit:
    """The audit consumer and a local stream runner over a gateway's tenants."""

    consumer: Any
    runner: Any
    checkpoints: Any

    async def drain(self) -> int:
        drained: int = await self.runner.drain()
        return drained


def make_audit(gw: Gateway, settings: Settings, ddb: Any, streams: Any, **kw: Any) -> Audit:
    from graph.audit.checkpoints import MemoryCheckpoints
    from graph.audit.consumer import AuditConsumer
    from graph.audit.runner import StreamRunner
    from graph.store import StreamReader

    # A leased table's stream holds every earlier test's writes (and their undoing).
    assert gw.fresh, "an audit consumer reads the tables' streams: open_gateway(fresh=True)"
    consumer = AuditConsumer(settings, gw.runtime.registry)
    checkpoints = MemoryCheckpoints()
    tables = [
        t for tenant in gw.tenants.values() for t in (tenant.tables.listings, tenant.tables.sellers)
    ]
    runner = StreamRunner(StreamReader(ddb, streams), consumer.handle, tables, checkpoints, **kw)
    return Audit(consumer, runner, checkpoints)


@pytest.fixture
async def audit(
    gateway: Gateway, settings: Settings, ddb: Any, streams: Any
) -> AsyncIterator[Audit]:
    audit = make_audit(gateway, settings, ddb, streams)
    try:
        yield audit
    finally:
        audit.consumer.close()


@pytest.fixture
async def roomy(
    ddb: Any, settings: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[Gateway]:
    """A seeded gateway whose tenant may have 24 requests in flight (a pool of 32 keeps
    8 back for the other tenants; by default the cap is 8, the pool 4 with 1 kept back):
    for tests about concurrent writes, not about the concurrency cap."""
    roomy_settings = settings.model_copy(update={"max_in_flight": 32})
    roomy_limits = Limits(max_concurrency=32)
    fresh = reads_streams(request)
    async with open_gateway(ddb, roomy_settings, limits=roomy_limits, fresh=fresh) as gw:
        yield gw
