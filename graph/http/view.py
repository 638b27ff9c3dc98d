"""GuardedGraphQL: Strawberry's ASGI view with a hardened HTTP surface.

- Strawberry's plain-text rejections (bad JSON, JSON arrays, no query, wrong method) and
  errors raised while reading the request (persisted queries) become GraphQL-shaped JSON
  with a stable code (graph.http.responses).
- Persisted queries (graph.http.persisted) fill in the document before execution.
- Last line of defence: an error leaving without a code from graph.errors.ERROR_CODES
  (a bug: something bypassed graph.execution.error_codes) is masked as
  INTERNAL_SERVER_ERROR, and logged.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from graph.errors import ERROR_CODES, GatewayError, PersistedQueryNotFound
from graph.http import bodies
from graph.http.persisted import PersistedQueries
from graph.http.responses import error_for_status, internal_error, json_error, request_id_of
from graph.observability import current_request
from graph.resolvers.context import Context

log = logging.getLogger("graph.errors")


class GuardedGraphQL(GraphQL[Context, None]):
    #: Set per tenant view; None serves no persisted queries.
    persisted: PersistedQueries | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        response: Response
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            error = error_for_status(exc.status_code, exc.reason, scope.get("method", ""))
            response = json_error(error, scope)
        except GatewayError as exc:
            # Persisted-query answers must not be cached by a CDN in front of GET.
            headers = (
                {"Cache-Control": "no-store"} if isinstance(exc, PersistedQueryNotFound) else {}
            )
            response = json_error(exc, scope, headers)
        await response(scope, receive, send)

    def encode_json(self, data: object) -> bytes:
        # orjson: the response is serialised once, about ten times faster than json.
        return orjson.dumps(data)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # Strawberry takes any GET without `query` (Accept */*) for the IDE page; an APQ
        # GET carries only `extensions`, and without an IDE it should hear "no query".
        return (
            self.graphql_ide is not None
            and "extensions" not in request.query_params
            and super().should_render_graphql_ide(request)
        )

    def decode_json(self, data: str | bytes) -> object:
        # Every JSON a client sends (POST body, GET `variables`/`extensions`) is checked
        # for UTF-8, nesting depth and lone surrogates before anything reads it.
        return bodies.decode(data)

    def parse_json(self, data: str | bytes) -> Any:
        value = super().parse_json(data)
        if not isinstance(value, dict | list):
            raise HTTPException(
                400, 'The request must be a JSON object: {"query": ..., "variables": ...}.'
            )
        return value

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):
            if not isinstance(data.operation_name, str | None):
                raise HTTPException(400, "`operationName` must be a string or null.")
            bodies.check_variables(data.variables)
            bodies.check_document(data.query)
        if self.persisted is not None and isinstance(data, GraphQLRequestData):
            return self.persisted.resolve(data)
        return data

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data = await super().process_result(request, result)
        errors = data.get("errors")
        if errors:
            request_id = request_id_of(request.scope)
            data["errors"] = [known_or_masked(error, request_id) for error in errors]
        return data


def known_or_masked(error: Any, request_id: str) -> Any:
    """A formatted error as is when its code is one of ours; otherwise masked as
    INTERNAL_SERVER_ERROR (and logged). Every way out of the gateway calls this: the
    HTTP view here, the WebSocket handler (graph/routes/websocket.py)."""
    extensions = error.get("extensions") if isinstance(error, dict) else None
    if isinstance(extensions, dict) and extensions.get("code") in ERROR_CODES:
        return error
    log.error("masked an error without a known code (request %s): %r", request_id, error)
    info = current_request.get()
    if info is not None:
        info.internal_errors += 1
    masked = internal_error(request_id)
    formatted: dict[str, Any] = {
        "message": masked.message,
        "extensions": {**masked.as_extensions(), "requestId": request_id},
    }
    for key in ("locations", "path"):
        if isinstance(error, dict) and key in error:
            formatted[key] = error[key]
    return formatted
