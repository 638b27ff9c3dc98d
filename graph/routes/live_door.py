"""The WebSocket's door: what every frame and every connection passes before the
graphql-transport-ws handler (graph/routes/websocket.py) sees it.

- `GuardedWebSocketAdapter.iter_json`: each frame must be text and pass
  `graph.http.messages.decode_message` (the HTTP body guards: size, UTF-8, depth,
  surrogates, and the protocol's field types); anything else closes the socket with
  4400 and the reason, before or after connection_init.
- `authenticate`: the key against the live registry (`Runtime.authenticate`, the one
  HTTP uses) and the browser origin against the tenant's origins as the registry has
  them now; a refusal is Unauthenticated (close 4403), and a refused origin is logged
  with the tenant and the command that allows it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, cast

from starlette.websockets import WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.websocket_origin import is_same_origin
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from graph.errors import BadRequest, GatewayError, Unauthenticated
from graph.http.messages import decode_message
from graph.http.view import known_or_masked
from graph.observability import logger
from graph.registry.origins import allow_command, printable_origin
from graph.registry.tenants import Principal
from graph.tenancy.runtime import Runtime

#: The connection_init payload field that carries the API key.
KEY_FIELD = "apiKey"
CLOSE_BAD_MESSAGE = 4400
CLOSE_FORBIDDEN = 4403
#: A WebSocket close reason may take at most 123 bytes (RFC 6455 5.5).
_REASON_BYTES = 123


def close_reason(error: GatewayError) -> str:
    """`CODE: message`, cut to what a close frame can carry."""
    text = f"{error.code}: {error.message}".encode()[:_REASON_BYTES]
    return text.decode("utf-8", "ignore")


@dataclass
class Connection:
    """Strawberry's `context` for one connection until connection_init names a key."""

    origin: str | None
    host: str | None
    address: str
    connection_params: dict[str, Any] | None = None


def authenticate(runtime: Runtime, key: Any, connection: Connection) -> Principal:
    """The principal of a key sent on a connection; Unauthenticated otherwise."""
    if not isinstance(key, str) or not key:
        raise Unauthenticated(f'Send the API key in connection_init: {{"{KEY_FIELD}": "rg_..."}}.')
    principal = runtime.authenticate(key)
    if principal is None:
        raise Unauthenticated("The API key is not valid.")
    origin = connection.origin
    foreign = origin is not None and not is_same_origin(origin, connection.host)
    if foreign and origin not in principal.tenant.config.origins:
        assert origin is not None
        shown, tenant_id = printable_origin(origin), principal.tenant.id
        fix = allow_command(tenant_id, shown)
        logger.warning(
            "websocket origin refused",
            extra={"origin": shown, "tenant": tenant_id, "address": connection.address, "fix": fix},
        )
        raise Unauthenticated(f"Origin {shown} is not an allowed origin of tenant {tenant_id}.")
    return principal


def revocation(
    runtime: Runtime, key: str, connection: Connection, principal: Principal
) -> Unauthenticated | None:
    """Why an open connection's key or origin is no longer admitted by the registry as it
    is now (a removed key or origin, changed scopes), or None."""
    try:
        again = authenticate(runtime, key, connection)
    except Unauthenticated as refused:
        return Unauthenticated(f"No longer admitted: {refused.message}")
    if again != principal:
        return Unauthenticated("The API key's scopes or tenant changed; connect again.")
    return None


def masked(message: Message, request_id: str) -> Message:
    """A `next` or `error` message with every error without a known code masked, as the
    HTTP view masks them (`known_or_masked`)."""
    payload: Any = message.get("payload")
    if message["type"] not in ("next", "error") or not payload:
        return message
    errors = payload if message["type"] == "error" else payload.get("errors")
    if not errors:
        return message
    hidden = [known_or_masked(error, request_id) for error in errors]
    payload = hidden if message["type"] == "error" else {**payload, "errors": hidden}
    out: Any = {**message, "payload": payload}
    return cast("Message", out)


class GuardedWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's ASGI WebSocket adapter, each frame decoded by `decode_message`
    (at most the view's `max_message_bytes`)."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        max_bytes: int = self.view.max_message_bytes  # type: ignore[attr-defined]
        while self.ws.application_state != WebSocketState.DISCONNECTED:
            frame = await self.ws.receive()
            if frame["type"] == "websocket.disconnect":
                return
            text = frame.get("text")
            try:
                if text is None:
                    raise BadRequest("WebSocket messages must be text frames of JSON.")
                message = decode_message(text, max_bytes)
            except BadRequest as error:
                await self.close(CLOSE_BAD_MESSAGE, close_reason(error))
                return
            yield message
