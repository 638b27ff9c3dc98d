"""RequestId: give every request the gateway's own id, and keep a client's sane
`X-Request-Id` beside it as a correlation id (a client-chosen id is spoofable and
reusable, so it never names a request in the audit trail)."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.http.state import request_state

_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp, *, header: str = "x-request-id") -> None:
        self.app = app
        self.header = header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(self.header, "")
        request_id = uuid.uuid4().hex
        correlation_id = given if _SANE.match(given) else None
        state = request_state(scope)
        state.request_id, state.correlation_id = request_id, correlation_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[self.header] = request_id
                if correlation_id is not None:
                    headers["x-correlation-id"] = correlation_id
            await send(message)

        await self.app(scope, receive, send_with_id)
