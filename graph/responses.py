"""GraphQL-shaped HTTP responses for errors raised before execution."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from graph.errors import GatewayError


def error_response(
    error: GatewayError, request_id: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    extensions = error.as_extensions()
    if request_id:
        extensions["requestId"] = request_id
    return JSONResponse(
        {"data": None, "errors": [{"message": error.message, "extensions": extensions}]},
        status_code=error.http_status,
        headers=dict(headers or {}),
    )
