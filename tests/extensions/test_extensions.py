"""Per-tenant schema extensions: typed custom fields, visibility, filters, logic."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from graph.extensions import ExtensionError, load_extension
from graph.extensions.parser import parse_spec
from graph.extensions.sdl import breaking_changes, sdl
from graph.local import demo
from graph.registry.tenants import Registry
from graph.settings import Settings
from graph.tenancy.runtime import Runtime
from tests.conftest import Audit, Gateway, make_tenant, open_gateway, raw_key
from tests.schema.test_mutations import CREATE, UPDATE, new_listing

REPO_TENANTS = Path(__file__).resolve().parents[2] / "tenants"
SDL_QUERY = "{ __schema { types { name fields { name } inputFields { name } } } }"


def type_names(body: dict[str, Any]) -> set[str]:
    return {t["name"] for t in body["data"]["__schema"]["types"]}


def field_names(body: dict[str, Any], type_name: str) -> set[str]:
    for t in body["data"]["__schema"]["types"]:
        if t["name"] == type_name:
            return {f["name"] for f in (t["fields"] or t["inputFields"] or [])}
    return set()


async def test_custom_fields_round_trip(gateway: Gateway) -> None:
    custom = {
        "size": "10.5",
        "colorway": "Chicago",
        "authenticityGrade": "VERIFIED",
        "releaseDate": "1985-09-15T09:00:00+02:00",
        "purchasePrice": "170.00",
        "shopify": {"productId": "gid://shopify/Product/1", "tags": ["a", 1.5]},
    }
    body = await gateway.gql(
        CREATE.replace(
            "price { amount currency }",
            "custom { size colorway boxIncluded "
            "authenticityGrade releaseDate purchasePrice shopify markup }",
        ),
        {"input": new_listing(custom=custom)},
        scope="write",
    )
    assert "errors" not in body, body
    out = body["data"]["createListing"]["listing"]["custom"]
    assert out == {
        "size": "10.5",
        "colorway": "Chicago",
        "boxIncluded": False,  # the declared default
        "authenticityGrade": "VERIFIED",
        "releaseDate": "1985-09-15T07:00:00+00:00",  # the same instant, stored in UTC
        "purchasePrice": "170.00",
        "shopify": {"productId": "gid://shopify/Product/1", "tags": ["a", 1.5]},
        "markup": "0.76",  # computed by tenants/extensions/kicks.py: 129.90 / 170.00
    }


async def test_storefront_keys_see_no_private_fields(gateway: Gateway) -> None:
    public = await gateway.gql(SDL_QUERY, scope="read")
    private = await gateway.gql(SDL_QUERY, scope="write")
    assert "purchasePrice" not in field_names(public, "KicksListingCustom")
    assert "shopify" not in field_names(public, "KicksListingCustom")
    assert {"purchasePrice", "shopify", "size"} <= field_names(private, "KicksListingCustom")
    assert "KicksSellerPayoutTier" not in type_names(public)
    assert "KicksSellerPayoutTier" in type_names(private)
    sdl = (await gateway.http.get("/schema.graphql", headers={"X-Api-Key": "x"})).status_code
    assert sdl in {401, 404}
    read = await gateway.gql('{ listing(id: "lst-0001") { custom { purchasePrice } } }')
    assert read["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "purchasePrice" in read["errors"][0]["message"]


async def test_no_other_tenants_names_anywhere(gateway: Gateway) -> None:
    body = await gateway.gql(SDL_QUERY, scope="admin")
    text = str(body)
    assert "Kicks" in text
    for foreign in ("Threads", "fabric", "commercetools", "Loop"):
        assert foreign not in text
    typo = await gateway.gql('{ listing(id: "lst-0001") { custom { fabrik } } }')
    assert "fabric" not in str(typo)


async def test_invalid_custom_values_are_user_errors_with_paths(gateway: Gateway) -> None:
    custom = {"size": "42", "colorway": "x" * 81, "shopify": {"variantId": "v1"}}
    body = await gateway.gql(CREATE, {"input": new_listing(custom=custom)}, scope="write")
    errors = body["data"]["createListing"]["userErrors"]
    assert {(tuple(e["field"]), e["code"]) for e in errors} == {
        (("custom", "size"), "OUT_OF_RANGE"),
        (("custom", "colorway"), "TOO_LONG"),
        (("custom", "shopify"), "INVALID"),
    }
    bad_enum = await gateway.gql(
        CREATE, {"input": new_listing(custom={"authenticityGrade": "MAYBE"})}, scope="write"
    )
    assert bad_enum["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "authenticityGrade" in bad_enum["errors"][0]["message"]


async def test_write_hook_rejects_with_bad_user_input(gateway: Gateway) -> None:
    body = await gateway.gql(
        CREATE, {"input": new_listing(title="Replica Jordan 1")}, scope="write"
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == "Kicks & Co. does not accept replicas."


async def test_partial_update_of_custom_fields(gateway: Gateway) -> None:
    created = await gateway.gql(
        CREATE, {"input": new_listing(custom={"size": "9", "colorway": "Bred"})}, scope="write"
    )
    listing_id = created["data"]["createListing"]["listing"]["id"]
    body = await gateway.gql(
        UPDATE.replace("price { amount }", "custom { size colorway }"),
        {"id": listing_id, "v": 1, "input": {"custom": {"size": "9.5", "colorway": None}}},
        scope="write",
    )
    assert body["data"]["updateListing"]["listing"]["custom"] == {"size": "9.5", "colorway": None}


async def test_filter_on_filterable_fields(gateway: Gateway) -> None:
    sizes = ["8", "9", "10", "11"]
    for size in sizes:
        await gateway.gql(
            CREATE,
            {"input": new_listing(productId="prd-f", custom={"size": size})},
            scope="write",
        )
    query = """query($w: KicksListingWhere) { productListings(productId: "prd-f", first: 10,
        where: $w) { edges { node { custom { size } } } } }"""
    body = await gateway.gql(query, {"w": {"size": {"gte": "9", "lt": "11"}}})
    assert sorted(
        e["node"]["custom"]["size"] for e in body["data"]["productListings"]["edges"]
    ) == [
        "10",
        "9",
    ]
    grades = await gateway.gql(query, {"w": {"authenticityGrade": {"in": ["PENDING"]}}})
    assert len(grades["data"]["productListings"]["edges"]) == 4
    unfilterable = await gateway.gql(
        '{ productListings(productId: "prd-f", where: {colorway: {eq: "x"}}) { edges { cursor } } }'
    )
    assert unfilterable["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "colorway" in unfilterable["errors"][0]["message"]


def test_bad_extension_files_name_the_file_field_and_problem(tmp_path: Path) -> None:
    with pytest.raises(ExtensionError, match=r"listing.fields.size.*min.*max"):
        parse_spec({"listing": {"fields": {"size": {"type": "String", "min": 1}}}}, "x.toml")
    with pytest.raises(ExtensionError, match="enum needs `values`"):
        parse_spec({"listing": {"fields": {"grade": {"type": "enum"}}}}, "x.toml")
    (tmp_path / "extensions").mkdir()
    (tmp_path / "extensions" / "acme.toml").write_text("[listing.fields.Size]\ntype='Int'\n")
    with pytest.raises(ExtensionError, match=r"acme.toml.*listing.fields.Size"):
        load_extension(tmp_path, "acme")
    (tmp_path / "extensions" / "acme.toml").write_text("")
    (tmp_path / "extensions" / "acme.py").write_text("import graph.store\n")
    with pytest.raises(ExtensionError, match=r"acme.py:1: extension modules may not import"):
        load_extension(tmp_path, "acme")
    (tmp_path / "extensions" / "acme.py").write_text("raise RuntimeError('boom')\n")
    with pytest.raises(ExtensionError, match="importing the module failed"):
        load_extension(tmp_path, "acme")


def test_demo_extensions_load() -> None:
    kicks = load_extension(REPO_TENANTS, "kicks")
    threads = load_extension(REPO_TENANTS, "threads")
    assert {"size", "authenticity_grade", "shopify"} <= set(kicks.spec.listing.fields)
    assert {"fabric", "measurements", "commercetools"} <= set(threads.spec.listing.fields)
    assert [c.name for c in kicks.module.computed["listing"]] == [
        "markup",
        "sold_by_verified_reseller",
    ]


async def test_sdl_route_serves_what_the_key_may_see(gateway: Gateway) -> None:
    read = await gateway.http.get(
        "/schema.graphql", headers={"X-Api-Key": raw_key("kicks", "read")}
    )
    write = await gateway.http.get(
        "/schema.graphql", headers={"X-Api-Key": raw_key("kicks", "write")}
    )
    anonymous = await gateway.http.get("/schema.graphql")
    assert read.status_code == write.status_code == 200
    assert "type KicksListingCustom" in read.text
    assert "purchasePrice" not in read.text
    assert "purchasePrice" in write.text
    assert anonymous.status_code == 401


def _tenants_dir(tmp_path: Path, extension: str, module: str | None = None) -> Path:
    folder = tmp_path / "tenants"
    (folder / "extensions").mkdir(parents=True)
    (folder / "registry").mkdir()
    (folder / "extensions" / "kicks.toml").write_text(extension)
    if module is not None:
        (folder / "extensions" / "kicks.py").write_text(module)
    return folder


async def test_broken_extension_fails_only_its_tenant(
    ddb: Any, settings: Settings, tmp_path: Path
) -> None:
    folder = _tenants_dir(tmp_path, "", "def oops(:\n")
    conf = settings.model_copy(update={"tenants_dir": folder})
    async with open_gateway(ddb, conf, ("kicks", "threads"), seed=False) as gw:
        broken = await gw.post('{ listing(id: "x") { id } }', tenant="kicks")
        assert broken.status_code == 500
        assert broken.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert "kicks.py" not in broken.text  # details only in the log
        fine = await gw.gql('{ listing(id: "x") { id } }', tenant="threads")
        assert fine["data"] == {"listing": None}


async def test_edited_extension_takes_effect_with_reload(
    ddb: Any, settings: Settings, tmp_path: Path
) -> None:
    folder = _tenants_dir(tmp_path, '[listing.fields.weight]\ntype = "Int"\n')
    conf = settings.model_copy(update={"tenants_dir": folder, "extensions_reload": True})
    query = '{ listing(id: "lst-0001") { custom { weight } } }'
    async with open_gateway(ddb, conf, seed=True) as gw:
        assert (await gw.gql(query))["data"]["listing"]["custom"] == {"weight": None}
        path = folder / "extensions" / "kicks.toml"
        path.write_text('[listing.fields.grip]\ntype = "String"\n')
        os.utime(path, (time.time() + 5, time.time() + 5))
        body = await gw.gql(query)
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert (await gw.gql('{ listing(id: "lst-0001") { custom { grip } } }'))["data"]


def test_breaking_change_check(tmp_path: Path, settings: Settings) -> None:
    before = """
[listing.fields.gone]
type = "String"
[listing.fields.old]
type = "String"
deprecation_reason = "Use `grip`."
[listing.fields.grade]
type = "enum"
values = ["A", "B"]
[listing.fields.weight]
type = "Int"
[listing.fields.note]
type = "String"
"""
    after = """
[listing.fields.grade]
type = "enum"
values = ["A"]
[listing.fields.weight]
type = "String"
[listing.fields.note]
type = "String"
required = true
"""
    folder = _tenants_dir(tmp_path, before)
    registry = Registry([make_tenant("kicks", "x")], "test")
    conf = settings.model_copy(update={"tenants_dir": folder})
    old_sdl = sdl(Runtime(conf, registry).graph_for(registry.tenants["kicks"]).schema(private=True))
    (folder / "extensions" / "kicks.toml").write_text(after)
    new = Runtime(conf, registry).graph_for(registry.tenants["kicks"]).schema(private=True)
    changes = breaking_changes(old_sdl, new)
    found = {(c.kind, c.description) for c in changes}
    assert ("FIELD_REMOVED", "Field KicksListingCustom.gone was removed.") in found
    assert ("VALUE_REMOVED_FROM_ENUM", "Enum value KicksListingGrade.B was removed.") in found
    assert any(k == "FIELD_CHANGED_KIND" and "KicksListingCustom.weight" in d for k, d in found)
    assert (
        "FIELD_CHANGED_KIND",
        "Field KicksListingCustomCreateInput.note changed type from String to String!.",
    ) in found  # optional -> required
    assert not any(".old " in d for _, d in found)  # deprecated first: removal allowed
    assert len(changes) >= 4


async def test_history_hides_private_custom_fields_from_storefront_keys(
    gateway: Gateway, audit: Audit
) -> None:
    body = await gateway.gql(
        CREATE, {"input": new_listing(custom={"size": "9", "purchasePrice": "80"})}, scope="write"
    )
    listing_id = body["data"]["createListing"]["listing"]["id"]
    await audit.drain()
    query = """query($id: ID!) { listing(id: $id) { history(first: 1) { edges { node {
        changes { field new } } } } } }"""

    async def fields(scope: str) -> set[str]:
        data = await gateway.gql(query, {"id": listing_id}, scope=scope)
        node = data["data"]["listing"]["history"]["edges"][0]["node"]
        return {c["field"] for c in node["changes"]}

    read, write = await fields("read"), await fields("write")
    assert "custom.size" in read
    assert "custom.purchasePrice" not in read
    assert "custom.shopify" not in read
    assert {"custom.size", "custom.purchasePrice"} <= write


async def test_filters_match_declared_defaults_of_missing_values(gateway: Gateway) -> None:
    seeded = demo.dataset("kicks")["listings"]
    want = sorted(
        (i for i in seeded if i["productId"] == "prd-001"),
        key=lambda i: (i["createdAt"], i["listingId"]),
        reverse=True,
    )
    pending = [
        i["listingId"]
        for i in want
        if i["custom"].get("authenticity_grade", "PENDING") == "PENDING"
    ]
    assert 0 < len(pending) < len(want)
    body = await gateway.gql(
        """{ productListings(productId: "prd-001", first: 100,
             where: {authenticityGrade: {eq: PENDING}}) { edges { node { id } } } }"""
    )
    assert [e["node"]["id"] for e in body["data"]["productListings"]["edges"]] == pending
