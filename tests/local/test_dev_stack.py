"""Pieces of the dev loop, in process: the registry re-read at request time, demo data
only for demo tenants, the one-line request log, a clear message for a busy port."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.local import dynamodb_local
from graph.local.tenants import prepare_tenants
from graph.observability import text_line
from graph.registry.tenants import load_registry, new_api_key
from graph.settings import REPO_ROOT, Settings
from graph.store import delete_tables
from graph.tenancy.runtime import Runtime


def _tenants(tmp_path: Path, prefix: str) -> Path:
    folder = tmp_path / "tenants"
    shutil.copytree(REPO_ROOT / "tenants" / "extensions", folder / "extensions")
    (folder / "registry").mkdir()
    for tenant in ("kicks", "threads"):
        text = (REPO_ROOT / "tenants" / "registry" / f"{tenant}.toml").read_text()
        tables = "".join(
            f'{n} = "{prefix}-{tenant}-{n}"\n' for n in ("listings", "sellers", "history")
        )
        (folder / "registry" / f"{tenant}.toml").write_text(
            text.replace("\n[[keys]]", f"\n[tables]\n{tables}\n[[keys]]", 1)
        )
    return folder


async def test_a_key_added_to_the_registry_works_at_the_next_request(tmp_path: Path) -> None:
    folder = _tenants(tmp_path, "reload")
    settings = Settings(stage="dev", tenants_dir=folder, metrics=False, log_format="json")
    runtime = Runtime(settings, load_registry(folder, "dev"))
    app = create_app(runtime=runtime, manage_client=False)
    raw, digest = new_api_key("kicks-new-1")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:

        async def ask() -> int:
            response = await http.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"X-Api-Key": raw}
            )
            return response.status_code

        assert await ask() == 401
        with (folder / "registry" / "kicks.toml").open("a") as entry:
            entry.write(f'\n[[keys]]\nid = "kicks-new-1"\nsha256 = "{digest}"\nscopes = ["read"]\n')
        assert await ask() == 200
        # A tenant onboarded while the gateway runs: its key works at once too.
        acme_raw, acme_digest = new_api_key("acme-new-1")
        (folder / "registry" / "acme.toml").write_text(
            f'id = "acme"\nname = "Acme"\n[[keys]]\nid = "acme-new-1"\n'
            f'sha256 = "{acme_digest}"\nscopes = ["read"]\n'
        )
        response = await http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"X-Api-Key": acme_raw}
        )
        assert response.status_code == 200, response.text
        assert runtime.registry.tenants["acme"].config.name == "Acme"
        # A broken edit keeps the last good registry (and is logged), no outage.
        with (folder / "registry" / "kicks.toml").open("a") as entry:
            entry.write("\nthis is = not toml [\n")
        assert await ask() == 200


async def test_registry_is_not_reloaded_outside_dev(tmp_path: Path) -> None:
    folder = _tenants(tmp_path, "noreload")
    settings = Settings(stage="test", tenants_dir=folder)
    runtime = Runtime(settings, load_registry(folder, "test"))
    before = runtime.registry
    (folder / "registry" / "kicks.toml").write_text("broken = [")
    assert runtime.current_registry() is before


async def test_new_tenants_get_tables_but_no_demo_data(
    tmp_path: Path, ddb: Any, settings: Settings
) -> None:
    folder = _tenants(tmp_path, "seed")
    (folder / "registry" / "acme.toml").write_text(
        'id = "acme"\nname = "Acme"\n[tables]\n'
        'listings = "seed-acme-listings"\nsellers = "seed-acme-sellers"\n'
        'history = "seed-acme-history"\n'
    )
    conf = settings.model_copy(update={"tenants_dir": folder})
    lines: list[str] = []
    registry = load_registry(folder, conf.stage)
    try:
        await prepare_tenants(ddb, conf, lines.append)
        acme = await ddb.scan(TableName="seed-acme-listings", Select="COUNT")
        kicks = await ddb.scan(TableName="seed-kicks-listings", Select="COUNT")
        assert acme["Count"] == 0
        assert kicks["Count"] > 0
        assert any(line.startswith("  kicks:") and "demo data loaded" in line for line in lines)
        # Second run: tables kept, nothing reloaded over the developer's data.
        lines.clear()
        await prepare_tenants(ddb, conf, lines.append)
        assert not any("demo data loaded" in line for line in lines)
        assert any("data kept from the last run" in line for line in lines)
    finally:
        for tenant in registry.tenants.values():
            await delete_tables(ddb, tenant.tables)


def test_dev_terminal_line_is_one_readable_line() -> None:
    record = {
        "requestId": "r1",
        "tenant": "kicks",
        "keyId": "kicks-dev-read",
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "operationName": "ProductPage",
        "operationType": "query",
        "cost": 14,
        "durationMs": 12.34,
        "dynamodbCalls": 2,
    }
    line = text_line(record)
    assert "\n" not in line
    assert "200 POST /graphql kicks query ProductPage 12.3 ms, 2 DynamoDB calls, cost 14" in line


async def test_dev_stage_prints_one_line_per_request_and_no_json(
    tmp_path: Path, capsys: Any
) -> None:
    folder = _tenants(tmp_path, "log")
    settings = Settings(stage="dev", tenants_dir=folder)
    assert settings.text_logs
    app = create_app(runtime=Runtime(settings, load_registry(folder, "dev")), manage_client=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        await http.post(
            "/graphql",
            json={"query": "query Ping { __typename }"},
            headers={"X-Api-Key": "rg_kicks-dev-read_kicksDevReadKey0001"},
        )
    captured = capsys.readouterr()
    assert captured.out == ""  # no JSON log line, no EMF
    lines = [line for line in captured.err.splitlines() if "/graphql" in line]
    assert len(lines) == 1
    assert "200 POST /graphql kicks query Ping" in lines[0]


def test_json_logs_stay_for_lambda_and_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not Settings(stage="dev", log_format="json").text_logs
    assert not Settings(stage="test").text_logs
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "gateway")
    assert not Settings(stage="dev").text_logs


def test_a_busy_port_says_what_to_do() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(dynamodb_local.DynamoDBLocalError) as caught:
            dynamodb_local.start(port=port)
    message = str(caught.value)
    assert f"port {port} is already in use" in message
    assert "--dynamodb-port" in message
    assert "GRAPH_DYNAMODB_ENDPOINT" in message
