"""TenantGraph on its own: what one tenant's graph owns, when it is rebuilt, and that
`open` is bound to its tenant. Stores talk to the session's DynamoDB Local."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from graph.registry.tenants import Principal, Registry, Tenant
from graph.settings import Settings
from graph.store import create_tables, delete_tables, put_items
from graph.tenancy.runtime import Runtime
from graph.tenancy.tenant_graph import TenantGraph
from tests.conftest import make_tenant


def principal(tenant: Tenant, scope: str) -> Principal:
    return Principal(tenant=tenant, key_id=f"{tenant.id}-test-{scope}", scopes=frozenset({scope}))


def tenants_dir(tmp_path: Path, kicks_extension: str) -> Path:
    folder = tmp_path / "tenants"
    (folder / "extensions").mkdir(parents=True)
    (folder / "registry").mkdir()
    (folder / "extensions" / "kicks.toml").write_text(kicks_extension)
    return folder


@pytest.fixture
async def pair(ddb: Any) -> AsyncIterator[tuple[Tenant, Tenant]]:
    run = uuid.uuid4().hex[:10]
    kicks, lux = make_tenant("kicks", run), make_tenant("lux", run)
    for tenant in (kicks, lux):
        await create_tables(ddb, tenant.tables)
    try:
        yield kicks, lux
    finally:
        for tenant in (kicks, lux):
            await delete_tables(ddb, tenant.tables)


def runtime_for(settings: Settings, ddb: Any, *tenants: Tenant) -> Runtime:
    return Runtime(settings, Registry(list(tenants), settings.stage), client=ddb)


async def test_one_graph_per_tenant_owns_schemas_views_and_persisted_queries(
    ddb: Any, settings: Settings, pair: tuple[Tenant, Tenant]
) -> None:
    kicks, lux = pair
    runtime = runtime_for(settings, ddb, kicks, lux)
    graph = runtime.graph_for(kicks)
    assert runtime.graph_for(kicks) is graph  # built once
    assert runtime.graph_of(principal(kicks, "read")) is graph
    assert runtime.graph_for(lux) is not graph
    assert runtime.graph_for(lux).cursors is not graph.cursors

    read, write = principal(kicks, "read"), principal(kicks, "write")
    assert graph.schema_for(read) is graph.schema(private=False)
    assert graph.schema_for(write) is graph.schema(private=True)
    assert graph.schema(private=False) is not graph.schema(private=True)
    assert graph.view(read) is graph.view(read)
    assert graph.view(read).schema is graph.schema(private=False)
    assert graph.view(write).schema is graph.schema(private=True)
    # One persisted-query store per tenant, whatever the visibility or transport.
    assert graph.view(read).persisted is graph.persisted is graph.view(write).persisted


async def test_open_reaches_only_the_graphs_own_tables(
    ddb: Any, settings: Settings, pair: tuple[Tenant, Tenant]
) -> None:
    kicks, lux = pair
    item = {"listingId": "only-in-kicks", "title": "Kicks only", "status": "ACTIVE"}
    await put_items(ddb, kicks.tables.listings, [item])
    runtime = runtime_for(settings, ddb, kicks, lux)

    ctx = await runtime.graph_for(kicks).open(principal(kicks, "read"), request_id="r1")
    assert ctx.principal.tenant is kicks
    assert ctx.request_id == "r1"
    assert ctx.extension is runtime.graph_for(kicks).extension
    found = await ctx.loaders.listings.load("only-in-kicks")
    assert found is not None
    assert found["title"] == "Kicks only"

    other = await runtime.graph_for(lux).open(principal(lux, "read"), request_id="r2")
    assert await other.loaders.listings.load("only-in-kicks") is None

    # A graph never opens a store for another tenant's principal, even if misrouted.
    with pytest.raises(RuntimeError, match="tenant graph lux"):
        await runtime.graph_for(lux).open(principal(kicks, "admin"), request_id="r3")


async def test_reopen_gives_fresh_loaders(
    ddb: Any, settings: Settings, pair: tuple[Tenant, Tenant]
) -> None:
    kicks, _ = pair
    graph = runtime_for(settings, ddb, kicks).graph_for(kicks)
    ctx = await graph.open(principal(kicks, "read"), request_id="live")
    assert await ctx.loaders.listings.load("later") is None  # cached as missing
    await put_items(ddb, kicks.tables.listings, [{"listingId": "later", "title": "Later"}])
    assert await ctx.loaders.listings.load("later") is None
    loaders, store = ctx.loaders, ctx.store
    await graph.reopen(ctx)
    assert ctx.loaders is not loaders
    assert ctx.store is not store
    assert (await ctx.loaders.listings.load("later") or {}).get("title") == "Later"


async def test_an_edited_extension_replaces_the_graph_whole(
    ddb: Any, settings: Settings, pair: tuple[Tenant, Tenant], tmp_path: Path
) -> None:
    kicks, lux = pair
    folder = tenants_dir(tmp_path, '[listing.fields.weight]\ntype = "Int"\n')
    conf = settings.model_copy(update={"tenants_dir": folder, "extensions_reload": True})
    runtime = runtime_for(conf, ddb, kicks, lux)
    before, other = runtime.graph_for(kicks), runtime.graph_for(lux)
    assert runtime.graph_for(kicks) is before  # unchanged files: the same graph

    path = folder / "extensions" / "kicks.toml"
    path.write_text('[listing.fields.grip]\ntype = "String"\n')
    os.utime(path, (time.time() + 5, time.time() + 5))
    after = runtime.graph_for(kicks)
    assert after is not before
    assert after.extension is not before.extension
    assert after.persisted is not before.persisted
    assert "grip" in str(after.schema(private=True).as_str())
    assert "grip" not in str(before.schema(private=True).as_str())
    assert runtime.graph_for(lux) is other  # other tenants keep theirs


async def test_without_reload_the_graph_is_kept(
    ddb: Any, settings: Settings, pair: tuple[Tenant, Tenant], tmp_path: Path
) -> None:
    kicks, _ = pair
    folder = tenants_dir(tmp_path, '[listing.fields.weight]\ntype = "Int"\n')
    conf = settings.model_copy(update={"tenants_dir": folder, "extensions_reload": False})
    runtime = runtime_for(conf, ddb, kicks)
    before = runtime.graph_for(kicks)
    path = folder / "extensions" / "kicks.toml"
    path.write_text('[listing.fields.grip]\ntype = "String"\n')
    os.utime(path, (time.time() + 5, time.time() + 5))
    assert runtime.graph_for(kicks) is before


def test_a_broken_extension_builds_nothing(settings: Settings, tmp_path: Path) -> None:
    from graph.extensions import ExtensionError

    kicks = make_tenant("kicks", "unit")
    folder = tenants_dir(tmp_path, '[listing.fields.weight]\ntype = "NoSuchType"\n')
    conf = settings.model_copy(update={"tenants_dir": folder})
    with pytest.raises(ExtensionError, match=r"listing\.fields\.weight\.type"):
        TenantGraph(kicks, conf, client_for=_no_client)


async def _no_client(tenant: Tenant) -> Any:
    raise AssertionError("building a graph must not open a client")
