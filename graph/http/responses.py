"""Every error the gateway answers over HTTP, as GraphQL-shaped JSON with a stable code,
never HTML or plain text.

Starlette's own 404/405 (`HTTPException`) and its 500 page, and Strawberry's plain-text
rejections (invalid JSON, JSON arrays, unsupported content type, no query) all become
`{"data": null, "errors": [{"message", "extensions": {"code", "requestId"}}]}`.
A 500 says only "Internal server error" and the request id; the traceback goes to the
log (Starlette's ServerErrorMiddleware re-raises after answering).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from graph.errors import (
    BadRequest,
    GatewayError,
    InternalError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
)
from graph.http.state import request_state

log = logging.getLogger("graph.errors")


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


#: Strawberry's terse reasons, said so they tell the client what to do instead.
_REASONS = {
    "Unable to parse request body as JSON": "The request body is not valid JSON.",
    "Batching is not enabled": (
        "Batched requests (a JSON array of operations) are not accepted: send one "
        "operation per request, as a JSON object."
    ),
    "Unsupported content type": (
        "Unsupported content type: POST a JSON object with `Content-Type: "
        "application/json`, or use GET with query parameters."
    ),
    "No GraphQL query found in the request": (
        'The request has no `query`: send {"query": "..."}, or a persisted query hash in '
        "`extensions.persistedQuery`."
    ),
}


def request_id_of(scope: Scope) -> str:
    return request_state(scope).request_id


def internal_error(request_id: str) -> InternalError:
    return InternalError(f"Internal server error. Quote request id {request_id} when reporting it.")


def error_for_status(status: int, reason: str, method: str = "") -> GatewayError:
    if status == 404:
        return NotFound("Not found: the GraphQL endpoint is `/graphql` (GET or POST).")
    if status == 405:
        return MethodNotAllowed(
            f"Method {method or 'this method'} is not allowed here: use GET or POST /graphql."
        )
    if status == 413:
        return PayloadTooLarge("The request body is too large.")
    if status >= 500:
        return InternalError("Internal server error.")
    return BadRequest(_REASONS.get(reason, reason))


def json_error(
    error: GatewayError, scope: Scope, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return error_response(error, request_id_of(scope), headers)


async def _http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
    detail = exc.detail if isinstance(exc, StarletteHTTPException) else ""
    headers = dict(exc.headers or {}) if isinstance(exc, StarletteHTTPException) else {}
    error = error_for_status(status, detail, request.method)
    return json_error(error, request.scope, headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    request_id = request_id_of(request.scope)
    log.error("unhandled error (request %s)", request_id, exc_info=exc)
    return json_error(internal_error(request_id), request.scope)


#: For `Starlette(exception_handlers=...)`.
EXCEPTION_HANDLERS: dict[Any, Any] = {
    StarletteHTTPException: _http_exception,
    Exception: _server_error,
}
