"""Observability: one structured log line and one metrics line per request.

The log line is JSON from AWS Lambda Powertools' Logger: request id, tenant, operation
name and type, HTTP status, duration, DynamoDB calls and consumed capacity, estimated
cost. The metrics are CloudWatch EMF as Powertools' `EphemeralMetrics` writes them
(namespace "ResaleGraph", dimension `tenant`), one JSON line on stdout per request,
which is how Lambda ships EMF to CloudWatch. Powertools makes each metric directive
once; a request only fills in its own values (`metrics_document`), so concurrent
requests in one process never mix their numbers.

The schema extension fills the request's `RequestInfo` (operation, cost) through a
ContextVar; the middleware that writes the lines (graph/middleware/observability.py) is
pure ASGI, so both run in the request's task.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

NAMESPACE = "ResaleGraph"
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "resale-graph"


class _Stdout:
    """sys.stdout looked up at every write, so a handler made while a test captured
    stdout never writes to a closed capture buffer later."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


logger = Logger(service=SERVICE, stream=_Stdout(), json_serializer=_json)  # type: ignore[arg-type]


@dataclass
class RequestInfo:
    operation_name: str | None = None
    operation_type: str | None = None
    cost: int | None = None
    #: Errors masked as INTERNAL_SERVER_ERROR, even in a response sent with HTTP 200.
    internal_errors: int = 0


current_request: ContextVar[RequestInfo | None] = ContextVar("request_info", default=None)


def text_line(record: dict[str, Any]) -> str:
    """The request as one line for a terminal:
    `12:04:31 200 POST /graphql kicks query ProductPage 12.4 ms, 2 DynamoDB calls, cost 14`."""
    who = record["tenant"] or "-"
    operation = " ".join(p for p in (record["operationType"], record["operationName"]) if p) or "-"
    extra = [f"{record['durationMs']:.1f} ms", f"{record['dynamodbCalls']} DynamoDB calls"]
    if record["cost"] is not None:
        extra.append(f"cost {record['cost']}")
    if record.get("internalErrors"):
        extra.append(f"{record['internalErrors']} internal error(s): see the log above")
    return (
        f"{time.strftime('%H:%M:%S')} {record['status']} {record['method']} {record['path']} "
        f"{who} {operation} {', '.join(extra)}"
    )


#: The request's metrics, in the order Powertools writes them.
UNITS: dict[str, MetricUnit] = {
    "Requests": MetricUnit.Count,
    "Latency": MetricUnit.Milliseconds,
    "DynamoDBCalls": MetricUnit.Count,
    "ReadCapacity": MetricUnit.Count,
    "WriteCapacity": MetricUnit.Count,
    "Cost": MetricUnit.Count,
    "Throttled": MetricUnit.Count,
    "ServerErrors": MetricUnit.Count,
}


def metric_values(record: dict[str, Any]) -> dict[str, float]:
    """The request's metrics by name (`Cost` only when the request had one)."""
    status = record["status"]
    values: dict[str, float] = {
        "Requests": 1,
        "Latency": record["durationMs"],
        "DynamoDBCalls": record["dynamodbCalls"],
        "ReadCapacity": record["readCapacity"],
        "WriteCapacity": record["writeCapacity"],
    }
    if record["cost"] is not None:
        values["Cost"] = record["cost"]
    values["Throttled"] = int(status == 429)
    # A masked internal error is a server error whatever the HTTP status carried it.
    values["ServerErrors"] = int(status >= 500 or record["internalErrors"] > 0)
    return values


def powertools_metrics(record: dict[str, Any]) -> dict[str, Any]:
    """The request's EMF document as Powertools' `EphemeralMetrics` serialises it."""
    metrics = EphemeralMetrics(namespace=NAMESPACE)
    metrics.add_dimension(name="tenant", value=record["tenant"] or "unauthenticated")
    for name, value in metric_values(record).items():
        metrics.add_metric(name=name, unit=UNITS[name], value=value)
    metrics.add_metadata(key="requestId", value=record["requestId"])
    return dict(metrics.serialize_metric_set())


@functools.cache
def _directive(names: tuple[str, ...]) -> list[dict[str, Any]]:
    """The `_aws.CloudWatchMetrics` directive for these metric names, as Powertools
    writes it (made once per set of names: with and without `Cost`)."""
    sample: dict[str, Any] = {"status": 200, "internalErrors": 0, "tenant": "t"}
    sample |= {"requestId": "r", "durationMs": 0.0, "dynamodbCalls": 0}
    sample |= {"readCapacity": 0.0, "writeCapacity": 0.0, "cost": 0 if "Cost" in names else None}
    directive: list[dict[str, Any]] = powertools_metrics(sample)["_aws"]["CloudWatchMetrics"]
    return directive


def metrics_document(record: dict[str, Any]) -> dict[str, Any]:
    """`powertools_metrics(record)` without Powertools' per-request work: its
    validation of every name, unit and value runs once per directive (`_directive`),
    since only the values change between requests (~100 us a request otherwise).
    tests/unit/test_metrics_line.py holds the two equal."""
    values = metric_values(record)
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": _directive(tuple(values)),
        },
        "tenant": record["tenant"] or "unauthenticated",
        "requestId": record["requestId"],
    }
    for name, value in values.items():
        document[name] = [float(value)]
    return document


def emit_metrics(record: dict[str, Any]) -> None:
    """One EMF line on stdout, as Powertools' `flush_metrics` prints it (and not at all
    when Powertools' POWERTOOLS_METRICS_DISABLED / POWERTOOLS_DEV turn metrics off)."""
    if not is_metrics_disabled():
        sys.stdout.write(orjson.dumps(metrics_document(record)).decode() + "\n")


def emit_count(name: str, tenant: str) -> None:
    """One EMF line counting one event (`name`, dimension `tenant`) outside a request:
    a refused WebSocket connection or subscription (Powertools' EphemeralMetrics)."""
    if is_metrics_disabled():
        return
    metrics = EphemeralMetrics(namespace=NAMESPACE)
    metrics.add_dimension(name="tenant", value=tenant)
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    sys.stdout.write(orjson.dumps(metrics.serialize_metric_set()).decode() + "\n")
