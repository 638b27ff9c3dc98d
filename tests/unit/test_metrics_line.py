"""The request's EMF line is the document Powertools' `EphemeralMetrics` writes.

`metrics_document` fills a directive Powertools made once with a request's values; it
must equal what Powertools serialises for the same request, whatever the request."""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stdout
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.observability import emit_metrics, metrics_document, powertools_metrics
from graph.registry.tenants import TENANT_ID

_capacity = st.floats(min_value=0, max_value=1e6, allow_nan=False)
records = st.fixed_dictionaries(
    {
        "requestId": st.uuids().map(str),
        # a tenant id (graph.registry.tenants.TENANT_ID), or none before authentication
        "tenant": st.one_of(st.none(), st.from_regex(TENANT_ID, fullmatch=True)),
        "status": st.sampled_from([200, 400, 401, 413, 429, 500, 503, 504]),
        "internalErrors": st.integers(min_value=0, max_value=3),
        "cost": st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
        "durationMs": st.floats(min_value=0, max_value=60_000, allow_nan=False).map(
            lambda ms: round(ms, 2)
        ),
        "dynamodbCalls": st.integers(min_value=0, max_value=500),
        "readCapacity": _capacity,
        "writeCapacity": _capacity,
    }
)


def _without_timestamp(document: dict[str, Any]) -> tuple[dict[str, Any], int]:
    document = json.loads(json.dumps(document))
    return document, document["_aws"].pop("Timestamp")


@settings(max_examples=300, deadline=None)
@given(records)
def test_the_document_is_powertools_own(record: dict[str, Any]) -> None:
    before = int(time.time() * 1000)
    ours, stamp = _without_timestamp(metrics_document(record))
    theirs, _ = _without_timestamp(powertools_metrics(record))
    assert ours == theirs
    assert before <= stamp <= int(time.time() * 1000)


def test_the_line_is_one_json_document_on_stdout() -> None:
    record = {
        "requestId": "r-1",
        "tenant": "kicks",
        "status": 429,
        "internalErrors": 0,
        "cost": None,
        "durationMs": 1.5,
        "dynamodbCalls": 0,
        "readCapacity": 0.0,
        "writeCapacity": 0.0,
    }
    out = io.StringIO()
    with redirect_stdout(out):
        emit_metrics(record)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["Throttled"] == [1.0]
    assert "Cost" not in line
    assert [m["Name"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]] == [
        "Requests",
        "Latency",
        "DynamoDBCalls",
        "ReadCapacity",
        "WriteCapacity",
        "Throttled",
        "ServerErrors",
    ]


def test_powertools_switch_turns_the_line_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    out = io.StringIO()
    with redirect_stdout(out):
        emit_metrics(
            {
                "requestId": "r-2",
                "tenant": None,
                "status": 200,
                "internalErrors": 0,
                "cost": 3,
                "durationMs": 1.0,
                "dynamodbCalls": 1,
                "readCapacity": 0.5,
                "writeCapacity": 0.0,
            }
        )
    assert out.getvalue() == ""
