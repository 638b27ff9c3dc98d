"""Observability: one structured log line and one metrics line per request.

The log line is JSON from AWS Lambda Powertools' Logger: request id, tenant, operation
name and type, HTTP status, duration, DynamoDB calls and consumed capacity, estimated
cost. The metrics are CloudWatch EMF from Powertools (namespace "ResaleGraph",
dimension `tenant`), flushed once per request as one JSON line on stdout, which is how
Lambda ships EMF to CloudWatch. `EphemeralMetrics` keeps its metrics on the instance
(Powertools' `Metrics` shares them across instances at class level), so concurrent
requests in one process never mix their numbers.

The schema extension fills the request's `RequestInfo` (operation, cost) through a
ContextVar; this middleware is pure ASGI, so both run in the request's task.
"""

from __future__ import annotations

import os
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.request_state import request_state

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


def request_record(
    scope: Scope, info: RequestInfo, status: int, duration_ms: float
) -> dict[str, Any]:
    state = request_state(scope)
    principal, stats = state.principal, state.store_stats
    return {
        "requestId": state.request_id,
        "tenant": principal.tenant.id if principal is not None else None,
        "keyId": principal.key_id if principal is not None else None,
        "method": scope.get("method"),
        "path": scope.get("path"),
        "status": status,
        "internalErrors": info.internal_errors,
        "operationName": info.operation_name,
        "operationType": info.operation_type,
        "cost": info.cost,
        "durationMs": round(duration_ms, 2),
        "dynamodbCalls": stats.total_calls if stats is not None else 0,
        "dynamodbCallsByOperation": dict(stats.calls) if stats is not None else {},
        "readCapacity": stats.read_capacity if stats is not None else 0.0,
        "writeCapacity": stats.write_capacity if stats is not None else 0.0,
    }


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


def emit_metrics(record: dict[str, Any]) -> None:
    metrics = EphemeralMetrics(namespace=NAMESPACE)
    metrics.add_dimension(name="tenant", value=record["tenant"] or "unauthenticated")
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=record["durationMs"])
    metrics.add_metric(name="DynamoDBCalls", unit=MetricUnit.Count, value=record["dynamodbCalls"])
    metrics.add_metric(name="ReadCapacity", unit=MetricUnit.Count, value=record["readCapacity"])
    metrics.add_metric(name="WriteCapacity", unit=MetricUnit.Count, value=record["writeCapacity"])
    if record["cost"] is not None:
        metrics.add_metric(name="Cost", unit=MetricUnit.Count, value=record["cost"])
    status = record["status"]
    metrics.add_metric(name="Throttled", unit=MetricUnit.Count, value=int(status == 429))
    # A masked internal error is a server error whatever the HTTP status carried it.
    server_error = status >= 500 or record["internalErrors"] > 0
    metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=int(server_error))
    metrics.add_metadata(key="requestId", value=record["requestId"])
    metrics.flush_metrics()


class ObservabilityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: bool = True,
        text: bool = False,
        skip_paths: frozenset[str] = frozenset({"/healthz"}),
    ) -> None:
        self.app = app
        self.metrics = metrics
        #: One readable line on stderr instead of the JSON log line and EMF (dev terminal).
        self.text = text
        self.skip_paths = skip_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.skip_paths:
            await self.app(scope, receive, send)
            return
        info = RequestInfo()
        token = current_request.set(info)
        started = time.perf_counter()
        status = 500  # unless a response starts: an escaping exception becomes a 500

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        finally:
            current_request.reset(token)
            record = request_record(scope, info, status, (time.perf_counter() - started) * 1000)
            if self.text:
                print(text_line(record), file=sys.stderr, flush=True)
            else:
                if status >= 500 or info.internal_errors:
                    logger.error("request failed", extra=record)
                else:
                    logger.info("request", extra=record)
                if self.metrics:
                    emit_metrics(record)
