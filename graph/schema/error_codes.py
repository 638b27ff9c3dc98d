"""ErrorCodes: give every GraphQL error a stable `extensions.code`; mask the unexpected.

Known errors (graph.errors.GatewayError) keep their message and code. Parse and
validation failures get GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED, bad variable
values BAD_USER_INPUT. Anything else is a bug: the client sees INTERNAL_SERVER_ERROR
with the request id, and the traceback goes to the log only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, GatewayError

log = logging.getLogger("graph.errors")


def _request_id(context: Any) -> str:
    return str(getattr(context, "request_id", "") or "")


def classify(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, GatewayError):
        extensions = original.as_extensions()
        message = original.message
    elif original is None:
        message = error.message
        if message.startswith("Syntax Error"):
            code = GRAPHQL_PARSE_FAILED
        elif message.startswith("Variable '$"):
            code = "BAD_USER_INPUT"
        else:
            code = (error.extensions or {}).get("code") or GRAPHQL_VALIDATION_FAILED
        extensions = {"code": code}
    else:
        log.error(
            "unexpected error at %s (request %s)",
            ".".join(str(p) for p in error.path or ()),
            request_id,
            exc_info=original,
        )
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
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            request_id = _request_id(self.execution_context.context)
            result.errors = [classify(e, request_id) for e in errors]  # type: ignore[union-attr]
