"""Onboarding a tenant: tables, keys and registry entry in one idempotent command."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from graph.app import create_app
from graph.registry.onboarding import offboard, onboard, rotate_key
from graph.registry.tenants import load_registry
from graph.settings import Settings
from graph.store import TableNames, create_tables
from graph.tenancy.runtime import Runtime

REPO_TENANTS = Path(__file__).resolve().parents[2] / "tenants"


def isolated_settings(settings: Settings, tmp_path: Path) -> Settings:
    tenants = tmp_path / "tenants"
    shutil.copytree(REPO_TENANTS / "registry", tenants / "registry")
    (tenants / "extensions").mkdir()
    return settings.model_copy(update={"tenants_dir": tenants})


async def test_onboard_is_fast_idempotent_and_the_key_works(
    ddb: Any, settings: Settings, tmp_path: Path
) -> None:
    conf = isolated_settings(settings, tmp_path)
    tenant_id = f"acme-{uuid.uuid4().hex[:6]}"
    lines: list[str] = []
    started = time.perf_counter()
    first = await onboard(
        ddb, conf, tenant_id, name="Acme", origins=("https://acme.example",), say=lines.append
    )
    elapsed = time.perf_counter() - started
    print(f"\nonboarding {tenant_id} took {elapsed:.2f}s wall")  # a figure, not a timed test
    assert first.changed
    assert set(first.tables.values()) == {"created"}
    assert sorted(k.split("-")[-2] for k in first.new_keys) == ["read", "write"]
    assert (conf.tenants_dir / "extensions" / f"{tenant_id}.toml").exists()
    assert any("[2/3]" in line for line in lines)

    again_lines: list[str] = []
    again = await onboard(ddb, conf, tenant_id, name="Acme", say=again_lines.append)
    assert not again.changed
    assert again.new_keys == {}
    assert set(again.tables.values()) == {"exists"}

    registry = load_registry(conf.tenants_dir, "test")
    read_key = next(raw for key_id, raw in first.new_keys.items() if "-read-" in key_id)
    principal = registry.authenticate(read_key)
    assert principal is not None
    assert principal.tenant.id == tenant_id
    runtime = Runtime(conf, registry, client=ddb)
    app = create_app(runtime=runtime, manage_client=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        response = await http.post(
            "/graphql",
            json={"query": '{ listing(id: "lst-0001") { id } }'},
            headers={"X-Api-Key": read_key},
        )
    assert response.json()["data"] == {"listing": None}

    new_id, new_raw = rotate_key(conf, tenant_id, principal.key_id)
    rotated = load_registry(conf.tenants_dir, "test")
    assert rotated.authenticate(read_key) is None
    new_principal = rotated.authenticate(new_raw)
    assert new_principal is not None
    assert new_principal.key_id == new_id

    folder = await offboard(ddb, conf, tenant_id, say=lambda _: None)
    assert folder is not None
    assert (folder / "registry.toml").exists()
    assert tenant_id not in load_registry(conf.tenants_dir, "test").tenants
    tables = await ddb.list_tables()
    assert not [t for t in tables["TableNames"] if tenant_id in t]


async def test_create_tables_is_idempotent(ddb: Any) -> None:
    run = uuid.uuid4().hex[:8]
    names = TableNames(f"i{run}-l", f"i{run}-s", f"i{run}-h")
    assert set((await create_tables(ddb, names)).values()) == {"created"}
    assert set((await create_tables(ddb, names)).values()) == {"exists"}
