"""The CLI says what is missing, lists tenants in columns, shows export progress."""

from __future__ import annotations

import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from graph import cli

REPO_TENANTS = Path(__file__).resolve().parents[2] / "tenants"


@pytest.fixture
def tenants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tenants"
    shutil.copytree(REPO_TENANTS / "registry", folder / "registry")
    (folder / "extensions").mkdir()
    monkeypatch.setenv("GRAPH_TENANTS_DIR", str(folder))
    monkeypatch.setenv("GRAPH_STAGE", "test")
    return folder


def test_no_endpoint_and_no_credentials_is_one_line(
    tenants: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for name in (
        "GRAPH_DYNAMODB_ENDPOINT",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tenants / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tenants / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert cli.main(["seed"]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "no AWS credentials and no GRAPH_DYNAMODB_ENDPOINT" in errors[0]
    assert "export GRAPH_DYNAMODB_ENDPOINT=" in errors[0]
    assert "AWS_PROFILE" in errors[0]
    assert "Traceback" not in err


def test_an_unreachable_endpoint_is_one_line(
    tenants: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("GRAPH_DYNAMODB_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("GRAPH_DYNAMODB_MAX_ATTEMPTS", "1")
    assert cli.main(["seed"]) == 2
    err = capsys.readouterr().err
    assert f"error: cannot reach DynamoDB at http://127.0.0.1:{port}" in err
    assert "make dev" in err
    assert "Traceback" not in err


def test_tenants_list_is_aligned(tenants: Path, capsys: Any) -> None:
    assert cli.main(["tenants", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["TENANT", "NAME", "REGION", "KEYS", "ORIGINS"]
    assert len(lines) == 3
    for title in ("NAME", "REGION", "KEYS", "ORIGINS"):
        column = lines[0].index(title)
        # Every row's cell starts where its header does.
        assert all(line[column - 2 : column] == "  " for line in lines), title
        assert all(line[column] != " " for line in lines), title
    assert "Threadline Apparel" in lines[2]


def test_offboarding_shows_export_progress(
    tenants: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, dynamodb_endpoint: str
) -> None:
    monkeypatch.setenv("GRAPH_DYNAMODB_ENDPOINT", dynamodb_endpoint)
    tenant_id = f"prog-{uuid.uuid4().hex[:6]}"
    assert cli.main(["tenants", "onboard", tenant_id]) == 0
    client = boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    listings = f"test-{tenant_id}-listings"
    for n in range(7):
        client.put_item(TableName=listings, Item={"listingId": {"S": f"l{n}"}})
    capsys.readouterr()
    assert cli.main(["tenants", "offboard", tenant_id, "--yes"]) == 0
    err = capsys.readouterr().err
    assert f"exporting {listings}" in err
    assert "7/7" in err
    assert f"backed up 7 items of {listings}" in err
    backups = list((tenants.parent / "backups").glob(f"{tenant_id}-*"))
    assert len((backups[0] / f"{listings}.jsonl").read_text().splitlines()) == 7
