"""`graph extensions check`: breaking changes in the file's terms, exit codes, JSON, and
the sparse-filter warning from a sample of the tenant's data (graph/cli/checks.py)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from graph import cli
from graph.cli.checks import check_extension
from graph.extensions.report import BREAKING, CANNOT_CHECK, INVALID, OK
from graph.extensions.sdl import sdl
from graph.registry.tenants import load_registry
from graph.settings import Settings
from graph.store import TableNames, create_tables, delete_tables, put_items
from graph.tenancy.runtime import Runtime

BEFORE = """
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
filterable = true
[listing.fields.note]
type = "String"
[listing.fields.shape]
type = "object"
fields = { width = { type = "Int" }, depth = { type = "Int" } }
"""
AFTER = """
[listing.fields.grade]
type = "enum"
values = ["A"]
[listing.fields.weight]
type = "String"
[listing.fields.note]
type = "String"
required = true
[listing.fields.shape]
type = "object"
fields = { width = { type = "Int" } }
"""


def tenants_dir(tmp_path: Path, extension: str, tables: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "tenants"
    (folder / "extensions").mkdir(parents=True)
    (folder / "registry").mkdir()
    entry = 'id = "kicks"\nname = "Kicks"\n'
    if tables:
        entry += "[tables]\n" + "".join(f'{k} = "{v}"\n' for k, v in tables.items())
    (folder / "registry" / "kicks.toml").write_text(entry)
    (folder / "extensions" / "kicks.toml").write_text(extension)
    return folder


def export(settings: Settings, out: Path) -> None:
    registry = load_registry(settings.tenants_dir, settings.stage)
    schema = Runtime(settings, registry).graph_for(registry.tenants["kicks"]).schema(private=True)
    out.write_text(sdl(schema))


@pytest.fixture
def changed(tmp_path: Path) -> tuple[Settings, Path]:
    folder = tenants_dir(tmp_path, BEFORE)
    settings = Settings(stage="test", tenants_dir=folder, dynamodb_endpoint=None)
    baseline = tmp_path / "kicks.graphql"
    export(settings, baseline)
    (folder / "extensions" / "kicks.toml").write_text(AFTER)
    return settings, baseline


def test_breaking_changes_name_the_field_the_kind_and_the_fix(
    changed: tuple[Settings, Path],
) -> None:
    settings, baseline = changed
    report = check_extension(settings, "kicks", baseline)
    assert report.exit_code == BREAKING
    found = {(f.field, f.kind) for f in report.breaking}
    assert ("listing.fields.gone", "removed") in found
    assert ("listing.fields.grade.values (B)", "enum value removed") in found
    assert ("listing.fields.weight", "type changed") in found
    assert ("listing.fields.weight.filterable", "no longer filterable") in found
    assert ("listing.fields.note", "made required") in found
    assert ("listing.fields.shape.fields.depth", "removed") in found
    assert not any("old" in f for f, _ in found)  # deprecated first: removal allowed
    by_kind = {f.kind: f.fix for f in report.breaking}
    assert "deprecation_reason" in by_kind["removed"]
    assert "graph schema export --tenant kicks" in by_kind["removed"]
    assert "add a new field" in by_kind["type changed"]
    assert "weight_v2" in by_kind["type changed"]
    assert "`default`" in by_kind["made required"]
    # No GraphQL-only wording is left without the file's path next to it.
    assert all(f.field.startswith("listing.fields") for f in report.breaking), report.breaking


def test_json_output_and_exit_code_for_ci(
    changed: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    settings, baseline = changed
    monkeypatch.setenv("GRAPH_TENANTS_DIR", str(settings.tenants_dir))
    monkeypatch.setenv("GRAPH_STAGE", "test")
    monkeypatch.delenv("GRAPH_DYNAMODB_ENDPOINT", raising=False)
    code = cli.main(
        ["extensions", "check", "kicks", "--against", str(baseline), "--format", "json"]
    )
    body = json.loads(capsys.readouterr().out)
    assert code == BREAKING == body["exitCode"]
    assert body["ok"] is False
    assert {"field", "kind", "fix", "graphql", "code"} <= set(body["breaking"][0])
    assert any(b["field"] == "listing.fields.gone" for b in body["breaking"])


def test_invalid_extension_is_exit_2_with_its_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    folder = tenants_dir(tmp_path, '[listing.fields.size]\ntype = "Int"\ndefault = "tall"\n')
    monkeypatch.setenv("GRAPH_TENANTS_DIR", str(folder))
    monkeypatch.delenv("GRAPH_DYNAMODB_ENDPOINT", raising=False)
    code = cli.main(["extensions", "check", "kicks", "--format", "json"])
    body = json.loads(capsys.readouterr().out)
    assert code == INVALID
    assert body["problems"][0]["path"] == "listing.fields.size.default"
    assert body["problems"][0]["file"].endswith("kicks.toml")
    code = cli.main(["extensions", "check", "kicks"])
    assert code == INVALID
    assert "kicks.toml: listing.fields.size.default:" in capsys.readouterr().err


def test_no_baseline_or_unknown_tenant_is_exit_3(tmp_path: Path) -> None:
    folder = tenants_dir(tmp_path, "")
    settings = Settings(stage="test", tenants_dir=folder, dynamodb_endpoint=None)
    missing = check_extension(settings, "kicks", tmp_path / "none.graphql")
    assert missing.exit_code == CANNOT_CHECK
    assert "graph schema export --tenant kicks" in (missing.error or "")
    assert check_extension(settings, "acme").exit_code == CANNOT_CHECK


def test_unchanged_is_exit_0(tmp_path: Path) -> None:
    folder = tenants_dir(tmp_path, BEFORE)
    settings = Settings(stage="test", tenants_dir=folder, dynamodb_endpoint=None)
    export(settings, tmp_path / "kicks.graphql")
    report = check_extension(settings, "kicks", tmp_path / "kicks.graphql")
    assert report.exit_code == OK
    assert report.breaking == []


async def test_warns_about_a_filterable_field_few_listings_carry(
    tmp_path: Path, ddb: Any, settings: Settings
) -> None:
    run = uuid.uuid4().hex[:8]
    names = {n: f"t{run}-check-{n}" for n in ("listings", "sellers", "history")}
    await create_tables(ddb, TableNames.from_mapping(names))
    items = [
        {"listingId": f"l{n}", "custom": {"common": "x", **({"rare": "y"} if n < 2 else {})}}
        for n in range(20)
    ]
    await put_items(ddb, names["listings"], items)
    extension = (
        '[listing.fields.rare]\ntype = "String"\nfilterable = true\n'
        '[listing.fields.common]\ntype = "String"\nfilterable = true\n'
    )
    folder = tenants_dir(tmp_path, extension, names)
    conf = settings.model_copy(update={"tenants_dir": folder})
    export(conf, tmp_path / "kicks.graphql")
    try:
        # check_extension runs its own event loop (it is a CLI command): run it aside.
        import asyncio

        report = await asyncio.to_thread(check_extension, conf, "kicks", tmp_path / "kicks.graphql")
    finally:
        await delete_tables(ddb, TableNames.from_mapping(names))
    assert report.exit_code == OK
    assert [w["field"] for w in report.warnings] == ["listing.fields.rare"]
    assert "only 2 of 20 sampled listings" in report.warnings[0]["message"]
