"""Allowed origins: `graph tenants origins add|remove|list`, read at request time, and
refusals that name the origin (in the log and in the response)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from graph.cli import main
from graph.middleware.cors import REFUSED_HEADER
from graph.registry.origins import OriginError, normalize_origin
from graph.registry.tenants import Registry, load_tenant_file
from tests.conftest import Gateway, raw_key

QUERY = {"query": '{ listing(id: "lst-0001") { id } }'}
REPO_TENANTS = Path(__file__).resolve().parents[2] / "tenants"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}


@pytest.mark.parametrize(
    ("raw", "origin"),
    [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example:443", "https://shop.example"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        (" http://localhost:80 ", "http://localhost"),
    ],
)
def test_origins_are_normalized_as_browsers_send_them(raw: str, origin: str) -> None:
    assert normalize_origin(raw) == origin


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        ("https://shop.example/", "use 'https://shop.example'"),
        ("https://shop.example/resale?x=1", "use 'https://shop.example'"),
        ("shop.example", "http(s)://host[:port]"),
        ("ftp://shop.example", "http(s)://host[:port]"),
        ("https://user:pw@shop.example", "credentials"),
        ("https://shop.example:99999", "not an origin"),
        ("https://shop_example.com", "http(s)://host[:port]"),
    ],
)
def test_non_origins_are_refused_with_a_hint(raw: str, hint: str) -> None:
    with pytest.raises(OriginError, match=re.escape(hint)):
        normalize_origin(raw)


@pytest.fixture
def tenants_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tenants"
    shutil.copytree(REPO_TENANTS, folder)
    monkeypatch.setenv("GRAPH_TENANTS_DIR", str(folder))
    monkeypatch.setenv("GRAPH_STAGE", "dev")
    return folder


def test_origins_command_edits_only_the_origins_line(
    tenants_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tenants_dir / "registry" / "kicks.toml"
    before = path.read_text()
    assert main(["tenants", "origins", "add", "kicks", "HTTP://127.0.0.1:8765"]) == 0
    assert "http://127.0.0.1:8765 now allowed" in capsys.readouterr().err
    after = path.read_text()
    origins = load_tenant_file(path, "dev").config.origins
    assert origins[-1] == "http://127.0.0.1:8765"
    # Comments (the dev keys) and every other line are untouched.
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1
    assert changed[0][1].startswith("origins = ")

    assert main(["tenants", "origins", "add", "kicks", "http://127.0.0.1:8765"]) == 0
    assert "already allowed" in capsys.readouterr().err
    assert path.read_text() == after

    assert main(["tenants", "origins", "list", "kicks"]) == 0
    assert capsys.readouterr().out.split() == list(origins)

    assert main(["tenants", "origins", "remove", "kicks", "http://127.0.0.1:8765"]) == 0
    assert path.read_text() == before
    assert main(["tenants", "origins", "remove", "kicks", "http://127.0.0.1:8765"]) == 2
    assert "is not an allowed origin" in capsys.readouterr().err


def test_origins_command_refuses_bad_input(
    tenants_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tenants_dir / "registry" / "kicks.toml"
    before = path.read_text()
    assert main(["tenants", "origins", "add", "kicks", "https://shop.example/path"]) == 2
    assert "use 'https://shop.example'" in capsys.readouterr().err
    assert main(["tenants", "origins", "add", "nobody", "https://shop.example"]) == 2
    assert "no tenant 'nobody'" in capsys.readouterr().err
    assert main(["tenants", "origins", "add", "kicks"]) == 2
    assert path.read_text() == before


def test_origins_line_is_added_when_missing(tenants_dir: Path) -> None:
    path = tenants_dir / "registry" / "threads.toml"
    text = "\n".join(
        line for line in path.read_text().splitlines() if not line.startswith("origins")
    )
    path.write_text(text + "\n")
    assert main(["tenants", "origins", "add", "threads", "https://store.example"]) == 0
    tenant = load_tenant_file(path, "dev")
    assert tenant.config.origins == ("https://store.example",)
    assert len(tenant.config.keys) == 3


def log_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"level"')]


async def test_refused_origin_is_named_in_the_log_and_the_response(
    gateway: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    key = {"X-Api-Key": raw_key("kicks", "read")}
    evil = "https://evil.example"
    preflight = await gateway.http.options("/graphql", headers={**PREFLIGHT, "Origin": evil})
    assert preflight.status_code == 403
    assert evil in preflight.json()["errors"][0]["message"]
    assert "graph tenants origins add <tenant> https://evil.example" in preflight.text

    real = await gateway.http.post("/graphql", json=QUERY, headers={**key, "Origin": evil})
    assert real.status_code == 200
    assert "access-control-allow-origin" not in real.headers
    assert real.headers[REFUSED_HEADER] == (
        "https://evil.example is not an allowed origin of tenant kicks; "
        "allow it with: graph tenants origins add kicks https://evil.example"
    )
    refusals = [r for r in log_lines(capsys.readouterr().out) if r["message"] == "cors refused"]
    assert [(r["origin"], r.get("tenant"), r["level"]) for r in refusals] == [
        (evil, None, "WARNING"),
        (evil, "kicks", "WARNING"),
    ]
    # An allowed origin is not refused, and logs nothing of the kind.
    own = await gateway.http.post(
        "/graphql", json=QUERY, headers={**key, "Origin": "https://kicks.example"}
    )
    assert REFUSED_HEADER not in own.headers
    assert "cors refused" not in capsys.readouterr().out


async def test_origins_are_read_from_the_registry_at_request_time(gateway: Gateway) -> None:
    key = {"X-Api-Key": raw_key("kicks", "read")}
    new = "http://127.0.0.1:8001"
    before = await gateway.http.options("/graphql", headers={**PREFLIGHT, "Origin": new})
    assert before.status_code == 403
    runtime = gateway.runtime
    tenant = runtime.registry.tenants["kicks"]
    config = tenant.config.model_copy(update={"origins": (*tenant.config.origins, new)})
    # What a dev-time registry reload does: swap the runtime's registry object.
    runtime.registry = Registry([dataclasses.replace(tenant, config=config)], "test")
    after = await gateway.http.options("/graphql", headers={**PREFLIGHT, "Origin": new})
    assert after.status_code == 204
    assert after.headers["access-control-allow-origin"] == new
    real = await gateway.http.post("/graphql", json=QUERY, headers={**key, "Origin": new})
    assert real.headers["access-control-allow-origin"] == new
