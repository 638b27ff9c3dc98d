"""One JSON log line and one CloudWatch EMF line per request on stdout; nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import CallRecorder, Gateway


def stdout_records(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # any non-JSON line fails here


async def test_each_request_logs_one_line_and_flushes_its_metrics(
    gateway: Gateway, calls: CallRecorder, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = await gateway.post('query Named { listing(id: "lst-0001") { id title } }')
    assert response.status_code == 200
    records = stdout_records(capsys.readouterr().out)
    logs = [r for r in records if r.get("message") == "request"]
    metrics = [r for r in records if "_aws" in r]
    assert len(logs) == 1
    assert len(metrics) == 1
    log = logs[0]
    assert log["requestId"] == response.headers["x-request-id"]
    assert log["tenant"] == "kicks"
    assert log["operationName"] == "Named"
    assert log["operationType"] == "query"
    assert log["status"] == 200
    assert log["dynamodbCalls"] == calls.count() == 1
    assert log["readCapacity"] > 0
    assert log["durationMs"] > 0
    assert log["cost"] == response.json()["extensions"]["cost"]["requested"]
    emf = metrics[0]
    directive = emf["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "ResaleGraph"
    assert directive["Dimensions"] == [["tenant"]]
    assert emf["tenant"] == "kicks"
    assert emf["Requests"] == [1.0]
    assert emf["DynamoDBCalls"] == [1.0]
    assert emf["Throttled"] == [0.0]


async def test_rejections_are_logged_and_healthz_is_not(
    gateway: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    unauthenticated = await gateway.http.post("/graphql", json={"query": "{ __typename }"})
    assert unauthenticated.status_code == 401
    await gateway.http.get("/healthz")
    records = stdout_records(capsys.readouterr().out)
    logs = [r for r in records if r.get("message") == "request"]
    assert [(r["status"], r["path"]) for r in logs] == [(401, "/graphql")]
    assert "tenant" not in logs[0]  # None values are left out
    emf = [r for r in records if "_aws" in r]
    assert [r["tenant"] for r in emf] == ["unauthenticated"]
