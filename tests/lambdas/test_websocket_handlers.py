"""The Lambda entry points of live subscriptions: configured from the environment the
Terraform module sets (websocket.tf), on their own event loop, against DynamoDB Local.
Only $connect and $disconnect are sent: they make no Management API call."""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from graph.lambdas import websocket
from graph.store import CONNECTIONS

SAMPLES = Path(__file__).parents[1] / "samples"
DEV_READ = "rg_kicks-dev-read_kicksDevReadKey0001"


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch, dynamodb_endpoint: str) -> Iterator[Any]:
    table = f"t{uuid.uuid4().hex[:10]}-kicks-connections"
    client = boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_table(**CONNECTIONS.create_table_request(table))
    for name, value in {
        "GRAPH_STAGE": "dev",
        "GRAPH_TENANT_ID": "kicks",
        "GRAPH_DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "GRAPH_TABLE_CONNECTIONS": table,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GRAPH_CURSOR_SECRET", raising=False)
    try:
        yield client, table
    finally:
        websocket.reset()
        client.delete_table(TableName=table)


def sample(name: str, **query: str) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(json.loads((SAMPLES / name).read_text()))
    if query:
        event["queryStringParameters"] = query
    return event


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    # Lambda calls the handler from a plain thread, never inside a running loop.
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.update(websocket.websocket_handler(event)))
    worker.start()
    worker.join(timeout=60)
    return result


def test_connect_and_disconnect_through_the_entry_point(lambda_env: Any) -> None:
    client, table = lambda_env
    connection_id = "DQ7hGcMUIAMCJcQ="
    key = {"connectionId": {"S": connection_id}, "sk": {"S": "connection"}}

    refused = invoke(sample("apigw-websocket-connect.json", apiKey="rg_kicks-dev-read_wrong"))
    assert refused["statusCode"] == 401
    assert "Item" not in client.get_item(TableName=table, Key=key)

    accepted = invoke(sample("apigw-websocket-connect.json", apiKey=DEV_READ))
    assert accepted["statusCode"] == 200
    stored = client.get_item(TableName=table, Key=key)["Item"]
    assert stored["keyId"] == {"S": "kicks-dev-read"}
    assert int(stored["expiresAt"]["N"]) > 0

    assert invoke(sample("apigw-websocket-disconnect.json"))["statusCode"] == 200
    assert "Item" not in client.get_item(TableName=table, Key=key)
