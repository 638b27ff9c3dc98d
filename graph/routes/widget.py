"""The embeddable widget: `widget/widget.js` served at a versioned path, and its one
persisted operation.

A brand's page loads `GET /widget/v1/widget.js` (public: no key) and the script sends
one fixed operation, `widget/resale-widget.graphql`, by its SHA-256 hash only. The
gateway registers that operation for every tenant (graph/http/persisted.py: a
built-in persisted query), so it runs for tenants in safelist mode too, and no client
has to send its text first.

Versioning: `v1` receives only compatible fixes, so it is cached for a day and may be
served stale for a week while it revalidates (by ETag); a change that breaks pages
gets `v2` beside it. The file is read again when it changes on disk (edits in
`make dev` show on reload) and sent gzip-compressed to clients that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from graph.http.persisted import WIDGET_DIR

log = logging.getLogger(__name__)

VERSION = "v1"
SCRIPT_FILE = WIDGET_DIR / "widget.js"
SCRIPT_PATH = f"/widget/{VERSION}/widget.js"
#: Paths served without an API key (the auth layer lets exactly these through).
WIDGET_PATHS: frozenset[str] = frozenset({SCRIPT_PATH})
CACHE_CONTROL = "public, max-age=86400, stale-while-revalidate=604800"


@dataclass(frozen=True)
class _Script:
    stamp: int
    plain: bytes
    gzipped: bytes
    etag: str


_loaded: dict[Path, _Script] = {}


def _script(path: Path) -> _Script:
    stamp = path.stat().st_mtime_ns
    loaded = _loaded.get(path)
    if loaded is None or loaded.stamp != stamp:
        plain = path.read_bytes()
        etag = f'"{hashlib.sha256(plain).hexdigest()[:20]}"'
        loaded = _loaded[path] = _Script(stamp, plain, gzip.compress(plain, 9, mtime=0), etag)
    return loaded


def widget_routes(script: Path = SCRIPT_FILE) -> list[BaseRoute]:
    def serve(request: Request) -> Response:  # sync: Starlette runs it in a thread
        try:
            loaded = _script(script)
        except OSError:
            return PlainTextResponse(
                f"The widget is not installed: {script} is missing from this deployment.",
                status_code=404,
            )
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "ETag": loaded.etag,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
            # Any page may load it, also with crossorigin/SRI or under COEP.
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if loaded.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = loaded.plain
        if "gzip" in request.headers.get("accept-encoding", ""):
            body = loaded.gzipped
            headers["Content-Encoding"] = "gzip"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            body = b""
        return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)

    return [Route(SCRIPT_PATH, serve, methods=["GET", "HEAD"])]
