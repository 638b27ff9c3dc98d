"""BodyLimit: refuse request bodies over a size (413, GraphQL-shaped) before anyone parses them.

A declared `Content-Length` over the limit is refused without reading; otherwise the
body is read up to the limit (so a chunked body cannot sneak past it) and replayed to
the app. A GraphQL body is small: buffering up to the limit is cheap and keeps the app
free of partial-read states.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import BadRequest, GatewayError, PayloadTooLarge
from graph.http.responses import error_response
from graph.http.state import request_state


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"The request body is larger than {self.max_bytes} bytes: send a smaller "
            "document, or a persisted query hash instead of the document.",
            limit={"name": "maxBodyBytes", "value": self.max_bytes},
        )

    async def _refuse(
        self, error: GatewayError, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response = error_response(error, request_state(scope).request_id, {"Connection": "close"})
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await self._refuse(
                    BadRequest("The Content-Length header is not a number."), scope, receive, send
                )
                return
            if int(declared) > self.max_bytes:
                await self._refuse(self._too_large(), scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(self._too_large(), scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
