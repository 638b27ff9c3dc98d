"""Tenant resolution from the API key, and CORS per tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from graph.registry.tenants import Registry, RegistryError, load_registry
from tests.conftest import Gateway, make_tenant, open_gateway, raw_key

QUERY = {"query": '{ listing(id: "lst-0001") { id } }'}
REPO_TENANTS = Path(__file__).resolve().parents[2] / "tenants"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "API key is required"),
        ({"X-Api-Key": "rg_kicks-test-read_wrongSecretWrongSecret"}, "not valid"),
        ({"X-Api-Key": "rg_nobody-read_kicksTestSecretRead01"}, "not valid"),
        ({"X-Api-Key": "garbage"}, "not valid"),
        ({"Authorization": "Basic abc"}, "API key is required"),
    ],
)
async def test_missing_or_unknown_key_is_401(
    gateway: Gateway, headers: dict[str, str], message: str
) -> None:
    response = await gateway.http.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["requestId"] == response.headers["x-request-id"]


async def test_bearer_token_works_like_x_api_key(gateway: Gateway) -> None:
    headers = {"Authorization": f"Bearer {raw_key('kicks', 'read')}"}
    response = await gateway.http.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 200
    assert response.json()["data"] == {"listing": {"id": "lst-0001"}}


def test_development_keys_are_refused_in_prod() -> None:
    dev = load_registry(REPO_TENANTS, "dev")
    prod = load_registry(REPO_TENANTS, "prod")
    key = "rg_kicks-dev-read_kicksDevReadKey0001"
    principal = dev.authenticate(key)
    assert principal is not None
    assert principal.tenant.id == "kicks"
    assert prod.authenticate(key) is None


def test_scopes_nest() -> None:
    tenant = make_tenant("kicks", "x")
    registry = Registry([tenant], "test")
    read = registry.authenticate(raw_key("kicks", "read"))
    write = registry.authenticate(raw_key("kicks", "write"))
    admin = registry.authenticate(raw_key("kicks", "admin"))
    assert read
    assert write
    assert admin
    assert (read.can("read"), read.can("write"), read.can("admin")) == (True, False, False)
    assert (write.can("read"), write.can("write"), write.can("admin")) == (True, True, False)
    assert admin.can("admin")
    assert admin.can("read")


def test_a_bad_registry_names_file_tenant_and_field(tmp_path: Path) -> None:
    (tmp_path / "registry").mkdir()
    bad = tmp_path / "registry" / "acme.toml"
    bad.write_text('id = "acme"\nname = "Acme"\norigins = ["https://acme.example/path"]\n')
    with pytest.raises(RegistryError) as info:
        load_registry(tmp_path, "dev")
    assert str(bad) in str(info.value)
    assert "'acme'" in str(info.value)
    assert "origins" in str(info.value)
    bad.write_text('id = "other"\nname = "Acme"\n')
    with pytest.raises(RegistryError, match="must match the file name"):
        load_registry(tmp_path, "dev")


@pytest_asyncio.fixture
async def two(ddb: Any, settings: Any) -> AsyncIterator[Gateway]:
    async with open_gateway(ddb, settings, ("kicks", "threads"), seed=False) as gw:
        yield gw


async def test_cors_only_for_the_callers_own_origins(two: Gateway) -> None:
    gateway = two
    key = {"X-Api-Key": raw_key("kicks", "read")}
    # threads.example is registered, but by another tenant.
    threads = await gateway.http.post(
        "/graphql",
        json=QUERY,
        headers={"X-Api-Key": raw_key("threads", "read"), "Origin": "https://threads.example"},
    )
    assert threads.headers["access-control-allow-origin"] == "https://threads.example"
    own = await gateway.http.post(
        "/graphql", json=QUERY, headers={**key, "Origin": "https://kicks.example"}
    )
    assert own.headers["access-control-allow-origin"] == "https://kicks.example"
    assert "Origin" in own.headers["vary"]
    for origin in ("https://threads.example", "https://evil.example"):
        other = await gateway.http.post("/graphql", json=QUERY, headers={**key, "Origin": origin})
        assert other.status_code == 200
        assert "access-control-allow-origin" not in other.headers


async def test_cors_preflight(two: Gateway) -> None:
    gateway = two
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-api-key",
    }
    ok = await gateway.http.options(
        "/graphql", headers={**preflight, "Origin": "https://kicks.example"}
    )
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == "https://kicks.example"
    assert "X-Api-Key" in ok.headers["access-control-allow-headers"]
    bad = await gateway.http.options(
        "/graphql", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert bad.status_code == 403
    assert "access-control-allow-origin" not in bad.headers
    assert bad.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "'https://evil.example' is not allowed" in bad.json()["errors"][0]["message"]
