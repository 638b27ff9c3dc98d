"""One structured log line and one EMF metrics line per HTTP request (the line's shape
and the metrics are in graph/observability.py)."""

from __future__ import annotations

import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.http.state import request_state
from graph.observability import (
    RequestInfo,
    current_request,
    emit_metrics,
    logger,
    text_line,
)


def request_record(
    scope: Scope, info: RequestInfo, status: int, duration_ms: float
) -> dict[str, Any]:
    state = request_state(scope)
    principal, stats = state.principal, state.store_stats
    return {
        "requestId": state.request_id,
        "correlationId": state.correlation_id,
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
