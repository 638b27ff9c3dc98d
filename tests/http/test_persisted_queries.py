"""Persisted queries: Apollo's APQ handshake over POST and GET, hash checks, a cache per
tenant, and the safelist mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.errors import PersistedQueryNotFound
from graph.http.persisted import (
    MANIFEST_FORMAT,
    ManifestError,
    PersistedQueries,
    load_manifest,
    sha256_hex,
)
from graph.registry.tenants import Limits
from graph.settings import Settings
from tests.conftest import CallRecorder, Gateway, raw_key
from tests.limits.test_limits import codes, gateway_with

QUERY = '{ listing(id: "lst-0001") { id title } }'
HASH = sha256_hex(QUERY)


def apq(digest: str = HASH, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


async def post(
    gw: Gateway, body: dict[str, Any], tenant: str = "kicks", scope: str = "read"
) -> httpx.Response:
    return await gw.http.post("/graphql", json=body, headers={"X-Api-Key": raw_key(tenant, scope)})


async def get(gw: Gateway, params: dict[str, str], tenant: str = "kicks") -> httpx.Response:
    return await gw.http.get(
        "/graphql", params=params, headers={"X-Api-Key": raw_key(tenant, "read")}
    )


async def test_apq_handshake_over_post(gateway: Gateway, calls: CallRecorder) -> None:
    unknown = await post(gateway, {"extensions": apq()})
    assert unknown.status_code == 200
    assert codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert unknown.headers["Cache-Control"] == "no-store"
    assert calls.count() == 0

    registered = await post(gateway, {"query": QUERY, "extensions": apq()})
    assert "errors" not in registered.json()
    assert registered.json()["data"]["listing"]["id"] == "lst-0001"

    again = await post(gateway, {"extensions": apq()})
    assert again.status_code == 200
    assert again.json()["data"] == registered.json()["data"]
    assert "errors" not in again.json()


async def test_apq_handshake_over_get(gateway: Gateway) -> None:
    variables = json.dumps({"id": "lst-0002"})
    document = "query One($id: ID!) { listing(id: $id) { id } }"
    extensions = json.dumps(apq(sha256_hex(document)))
    unknown = await get(gateway, {"extensions": extensions, "variables": variables})
    assert codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    registered = await get(
        gateway, {"query": document, "extensions": extensions, "variables": variables}
    )
    assert registered.json()["data"] == {"listing": {"id": "lst-0002"}}
    by_hash = await get(
        gateway, {"extensions": extensions, "variables": variables, "operationName": "One"}
    )
    assert by_hash.json()["data"] == {"listing": {"id": "lst-0002"}}


async def test_wrong_hash_and_bad_versions_are_rejected(
    gateway: Gateway, calls: CallRecorder
) -> None:
    wrong = await post(gateway, {"query": QUERY, "extensions": apq("0" * 64)})
    assert wrong.status_code == 400
    assert codes(wrong.json()) == ["BAD_USER_INPUT"]
    assert "SHA-256" in wrong.json()["errors"][0]["message"]
    # A wrong hash is not remembered: the right one is still unknown.
    assert codes((await post(gateway, {"extensions": apq()})).json()) == [
        "PERSISTED_QUERY_NOT_FOUND"
    ]
    v2 = await post(gateway, {"query": QUERY, "extensions": apq(version=2)})
    assert codes(v2.json()) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
    garbage = await post(gateway, {"extensions": {"persistedQuery": "yes"}})
    assert codes(garbage.json()) == ["BAD_USER_INPUT"]
    short = await post(gateway, {"extensions": apq("abc")})
    assert codes(short.json()) == ["BAD_USER_INPUT"]
    assert calls.count() == 0


async def test_each_tenant_has_its_own_cache(ddb: Any, settings: Settings) -> None:
    async with gateway_with(ddb, settings, {"kicks": Limits(), "threads": Limits()}) as gw:
        registered = await post(gw, {"query": QUERY, "extensions": apq()}, tenant="kicks")
        assert "errors" not in registered.json()
        assert "errors" not in (await post(gw, {"extensions": apq()}, tenant="kicks")).json()
        foreign = await post(gw, {"extensions": apq()}, tenant="threads")
        assert codes(foreign.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


def write_manifest(folder: Path, tenant_id: str, documents: list[str]) -> None:
    (folder / "persisted").mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "operations": [
            {"id": sha256_hex(d), "body": d, "name": f"Op{i}", "type": "query"}
            for i, d in enumerate(documents)
        ],
    }
    (folder / "persisted" / f"{tenant_id}.json").write_text(json.dumps(manifest))


async def test_safelist_runs_only_registered_operations(
    ddb: Any, settings: Settings, tmp_path: Path, calls: CallRecorder
) -> None:
    write_manifest(tmp_path, "kicks", [QUERY])
    listed = settings.model_copy(update={"tenants_dir": tmp_path})
    async with gateway_with(
        ddb, listed, {"kicks": Limits(safelist=True), "threads": Limits()}
    ) as gw:
        calls.reset()
        other = '{ listing(id: "lst-0002") { id } }'
        for body in (
            {"query": other},  # a free-form document
            {"query": other, "extensions": apq(sha256_hex(other))},  # an APQ registration
        ):
            refused = await post(gw, body)
            assert refused.status_code == 403
            assert codes(refused.json()) == ["FORBIDDEN"]
            assert "safelist" in refused.json()["errors"][0]["message"]
        unknown = await post(gw, {"extensions": apq(sha256_hex(other))})
        assert codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
        assert calls.count() == 0

        by_hash = await post(gw, {"extensions": apq()})
        assert by_hash.json()["data"]["listing"]["id"] == "lst-0001"
        by_text = await post(gw, {"query": QUERY})
        assert by_text.json()["data"] == by_hash.json()["data"]
        # The other tenant is not in safelist mode.
        free = await post(gw, {"query": other}, tenant="threads")
        assert free.json()["data"] == {"listing": {"id": "lst-0002"}}


async def test_safelist_without_a_manifest_runs_nothing(
    ddb: Any, settings: Settings, tmp_path: Path
) -> None:
    empty = settings.model_copy(update={"tenants_dir": tmp_path})
    async with gateway_with(ddb, empty, {"kicks": Limits(safelist=True)}, seed=False) as gw:
        refused = await post(gw, {"query": QUERY})
        assert codes(refused.json()) == ["FORBIDDEN"]


def test_cache_is_a_bounded_lru() -> None:
    from strawberry.http import GraphQLRequestData

    cache = PersistedQueries(cache_size=2)
    documents = [f'{{ listing(id: "{n}") {{ id }} }}' for n in range(3)]

    def register(document: str) -> None:
        cache.resolve(
            GraphQLRequestData(
                query=document,
                variables=None,
                operation_name=None,
                extensions=apq(sha256_hex(document)),
            )
        )

    def known(document: str) -> bool:
        request = GraphQLRequestData(
            query=None, variables=None, operation_name=None, extensions=apq(sha256_hex(document))
        )
        try:
            return cache.resolve(request).query == document
        except PersistedQueryNotFound:
            return False

    register(documents[0])
    register(documents[1])
    assert known(documents[0])  # now the most recently used
    register(documents[2])
    assert len(cache) == 2
    assert known(documents[0])
    assert known(documents[2])
    assert not known(documents[1])


def test_manifest_ids_must_be_the_hash_of_their_body(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "format": MANIFEST_FORMAT,
                "version": 1,
                "operations": [{"id": "0" * 64, "body": QUERY}],
            }
        )
    )
    with pytest.raises(ManifestError, match="not the SHA-256"):
        load_manifest(path)
    write_manifest(tmp_path, "kicks", [QUERY])
    assert load_manifest(tmp_path / "persisted" / "kicks.json") == {HASH: QUERY}
