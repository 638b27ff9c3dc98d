"""ErrorCodes: give every GraphQL error a stable `extensions.code`; mask the unexpected.

Known errors (graph.errors.GatewayError) keep their message and code. Parse and
validation failures get GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED, bad variable
values BAD_USER_INPUT. Anything else is a bug: the client sees INTERNAL_SERVER_ERROR
with the request id, and the traceback goes to the log only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import (
    ERROR_CODES,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    GatewayError,
)
from graph.observability import current_request

log = logging.getLogger("graph.errors")
#: A field that is not in a tenant's `*Where` input: it exists but is not filterable.
_NOT_FILTERABLE = re.compile(
    r"Field '(\w+)' is not defined by type '\w+Where'"
    r"|'\w+Where' not to include unknown field '(\w+)'"
)


def _request_id(context: Any) -> str:
    return str(getattr(context, "request_id", "") or "")


def _count_internal(error: GraphQLError, request_id: str, original: BaseException) -> None:
    """A masked internal error: counted for the request's metrics, logged with its stack."""
    info = current_request.get()
    if info is not None:
        info.internal_errors += 1
    log.error(
        "unexpected error at %s (request %s)",
        ".".join(str(p) for p in error.path or ()),
        request_id,
        exc_info=original,
    )


def classify(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, GatewayError):
        extensions = original.as_extensions()
        message = original.message
        if original.code == "INTERNAL_SERVER_ERROR":  # e.g. the store's "rejected" error
            _count_internal(error, request_id, original)
    elif original is None or isinstance(original, GraphQLError):
        # GraphQL's own errors (a variable's coercion error wraps another GraphQLError).
        # Validation errors were tagged by graph.limits when they arose.
        message = error.message
        tagged = (error.extensions or {}).get("code")
        if tagged in ERROR_CODES and not _NOT_FILTERABLE.search(message):
            code = tagged
        elif message.startswith("Syntax Error"):
            code = GRAPHQL_PARSE_FAILED
        elif message.startswith("Variable '$"):
            code = "BAD_USER_INPUT"
        elif _NOT_FILTERABLE.search(message):
            found = _NOT_FILTERABLE.search(message)
            field = next(g for g in found.groups() if g) if found else "?"
            message = f"`{field}` is not filterable here. {message}"
            code = "BAD_USER_INPUT"
        else:
            code = (error.extensions or {}).get("code") or GRAPHQL_VALIDATION_FAILED
        extensions = {"code": code}
    else:
        _count_internal(error, request_id, original)
        message = f"Internal server error. Quote request id {request_id} when reporting it."
        extensions = {"code": "INTERNAL_SERVER_ERROR"}
    if request_id:
        extensions["requestId"] = request_id
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if self._streamed:
            return  # a subscription: each result was classified as it was sent
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            request_id = _request_id(self.execution_context.context)
            result.errors = [classify(e, request_id) for e in errors]  # type: ignore[union-attr]

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # Subscriptions (graphql-transport-ws): every `next`/`error` payload gets codes
        # before it is sent; on_operation ends only when the stream does.
        self._streamed = True
        errors = getattr(result, "errors", None)
        if errors:
            request_id = _request_id(self.execution_context.context)
            result.errors = [classify(e, request_id) for e in errors]
        yield None
