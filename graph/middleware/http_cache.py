"""HTTP caching of /graphql answers: public reads cacheable, everything else `no-store`.

A read key's GET (a query: Strawberry refuses mutations over GET) answered 200 with no
`errors` gets

    Cache-Control: public, max-age=30, stale-while-revalidate=300
    Vary: X-Api-Key, Authorization, Accept-Encoding, Origin
    ETag: W/"<SHA-256 of the JSON body, first 32 hex>"

and a later GET whose `If-None-Match` names that ETag is answered 304 with no body (the
query still runs: the ETag is of the answer, so a changed answer is never a 304). The
ETag is weak because the same JSON may be sent gzip-compressed or not
(GZipMiddleware sits outside this layer).

Everything else on /graphql with a key is `Cache-Control: no-store`: POSTs, a write or
admin key's answers (they may hold private fields), any answer with `errors`, any status
but 200. A browser or a CDN in front of the API (CloudFront, keyed on these Vary headers)
may then keep only what any holder of the same read key would see anyway.
Without a key, only the playground page (200, HTML) is left as it is; a 401 is no-store.
"""

from __future__ import annotations

import hashlib

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.http.state import request_state

MAX_AGE = 30
STALE_WHILE_REVALIDATE = 300
PUBLIC = f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
NO_STORE = "no-store"
VARY = ("X-Api-Key", "Authorization", "Accept-Encoding", "Origin")
#: Headers a 304 repeats from the 200 it stands for (RFC 9110 15.4.5).
_KEPT_ON_304 = ("cache-control", "etag", "vary", "x-request-id")


def etag_of(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def matches(if_none_match: str, etag: str) -> bool:
    """Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 13.1.2)."""
    wanted = etag.removeprefix("W/")
    tags = (t.strip().removeprefix("W/") for t in if_none_match.split(","))
    return any(t == wanted or t == "*" for t in tags)


def _has_errors(body: bytes) -> bool:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return True  # not the JSON of an answer: never cache it
    return not isinstance(data, dict) or bool(data.get("errors"))


def _is_json(start: Message) -> bool:
    return "application/json" in Headers(raw=start["headers"]).get("content-type", "")


def _vary(headers: MutableHeaders) -> None:
    have = {v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()}
    for name in VARY:
        if name.lower() not in have:
            headers.add_vary_header(name)


class HttpCacheMiddleware:
    def __init__(self, app: ASGIApp, *, paths: frozenset[str] = frozenset({"/graphql"})) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "GET":
            await self.app(scope, receive, self._no_store(scope, send))
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and _is_json(message):
                start = message  # held until the body is complete
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._answer(scope, start, b"".join(chunks), send)
            elif request_state(scope).principal is None:
                await send(message)  # the playground page (HTML), as it is
            else:  # not a JSON answer (a stream): as it comes, never stored
                await self._no_store(scope, send)(message)

        await self.app(scope, receive, buffer)

    def _no_store(self, scope: Scope, send: Send) -> Send:
        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = NO_STORE
            await send(message)

        return send_no_store

    async def _answer(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        principal = request_state(scope).principal
        headers = MutableHeaders(scope=start)
        if principal is None and start["status"] == 200:
            pass  # the playground page
        elif (
            principal is None
            or start["status"] != 200
            or principal.can("write")
            or _has_errors(body)
        ):
            headers["Cache-Control"] = NO_STORE
        else:
            etag = etag_of(body)
            headers["Cache-Control"] = PUBLIC
            headers["ETag"] = etag
            _vary(headers)
            if matches(Headers(scope=scope).get("if-none-match", ""), etag):
                kept = [(k, v) for k, v in start["headers"] if k.decode() in _KEPT_ON_304]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
        await send(start)
        await send({"type": "http.response.body", "body": body})
