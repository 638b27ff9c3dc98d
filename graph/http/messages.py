"""graphql-transport-ws messages, decoded with the guards of HTTP bodies.

Every WebSocket message (the local server's frames, the API Gateway function's
`$default` bodies) passes `decode_message` before the protocol handler reads it:

- at most `max_bytes` (the HTTP body limit, 2 MiB by default) as UTF-8;
- `bodies.decode`: valid UTF-8, nesting at most `MAX_JSON_DEPTH`, no lone surrogates;
- a JSON object whose `type` is one of the protocol's, and every field of it the
  protocol's type: `id` a non-empty string (at most `MAX_ID_CHARS`) for `subscribe` and
  `complete`; `payload` an object (or null/absent where the protocol allows it);
  a subscribe payload's `query` a string, `variables`/`extensions` objects or null,
  `operationName` a string or null; `variables` within `MAX_VARIABLES_BYTES`, `query`
  within `MAX_DOCUMENT_CHARS`.

Anything else is a `BadRequest` saying what is wrong; the caller closes the socket with
4400 (graphql-transport-ws: "bad message") and that message as the reason.
"""

from __future__ import annotations

from typing import Any

from graph.errors import BadRequest
from graph.http import bodies

#: What graphql-transport-ws defines; `next`/`error`/`connection_ack` go server->client
#: only, so a client sending them is sending a bad message.
CLIENT_TYPES = frozenset({"connection_init", "ping", "pong", "subscribe", "complete"})
MAX_ID_CHARS = 128
_OBJECT_OR_NULL = "an object or null"


def decode_message(data: str | bytes, max_bytes: int) -> dict[str, Any]:
    """The message as a dict whose fields have the protocol's types, or BadRequest."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise BadRequest(f"The message takes {size} bytes; at most {max_bytes} are allowed.")
    message = bodies.decode(data, "The message")
    if not isinstance(message, dict):
        raise BadRequest('A message must be a JSON object: {"type": ..., ...}.')
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in CLIENT_TYPES:
        shown = kind if isinstance(kind, str) else type(kind).__name__
        raise BadRequest(f"Unknown message type {shown[:40]!r}: use one of {sorted(CLIENT_TYPES)}.")
    payload = message.get("payload")
    if kind in ("subscribe", "complete"):
        _check_id(message.get("id"))
    if kind == "subscribe":
        _check_subscribe(payload)
    elif payload is not None and not isinstance(payload, dict):
        raise BadRequest(f"The `payload` of {kind} must be {_OBJECT_OR_NULL}.")
    return message


def _check_id(value: Any) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_CHARS:
        raise BadRequest(f"`id` must be a string of 1 to {MAX_ID_CHARS} characters.")


def _check_subscribe(payload: Any) -> None:
    if not isinstance(payload, dict):
        raise BadRequest('A subscribe `payload` must be an object: {"query": ...}.')
    if not isinstance(payload.get("query"), str):
        raise BadRequest("A subscribe `payload.query` must be a string (the document).")
    for name in ("variables", "extensions"):
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            raise BadRequest(f"`payload.{name}` must be {_OBJECT_OR_NULL}.")
    if payload.get("operationName") is not None and not isinstance(payload["operationName"], str):
        raise BadRequest("`payload.operationName` must be a string or null.")
    bodies.check_variables(payload.get("variables"))
    bodies.check_document(payload["query"])
