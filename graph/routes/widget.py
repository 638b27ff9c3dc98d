"""The embeddable widget: its built classic script, served at a stable and at an
immutable URL, and its one persisted operation.

`widget/dist/resale-offers.js` (built from widget/src/ by `make widget`) is served

- at `/widget/v1/widget.js`, the stable URL: `v1` receives only compatible fixes, so it
  is cached for a day and may be served stale for a week while it revalidates (by ETag);
  a change that breaks pages gets `v2` beside it;
- at `/widget/<hash>/resale-offers.js`, `<hash>` the first 16 hex of its SHA-256
  (`widget/dist/manifest.json`, printed by the build with its SRI hash): never changes,
  so `Cache-Control: public, max-age=31536000, immutable`, and a page can pin it with
  `integrity="sha384-..."`. Only the current build's hash is served.

Both are public (no key). The script sends fixed operations by their SHA-256 hash only,
`widget/resale-widget.graphql` (a product's offers) or `widget/resale-widget-shop.graphql`
(shop mode); the gateway registers them for every tenant (graph/http/persisted.py:
built-in persisted queries), so they run for tenants in safelist mode too. The script
is read again when it changes on disk (a rebuild in `make dev` shows on reload) and sent
gzip-compressed to clients that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from graph.http.persisted import WIDGET_DIR

log = logging.getLogger(__name__)

VERSION = "v1"
DIST = WIDGET_DIR / "dist"
SCRIPT_FILE = DIST / "resale-offers.js"
MANIFEST_FILE = DIST / "manifest.json"
SCRIPT_PATH = f"/widget/{VERSION}/widget.js"
CACHE_CONTROL = "public, max-age=86400, stale-while-revalidate=604800"
IMMUTABLE = "public, max-age=31536000, immutable"


def hashed_path(manifest: Path = MANIFEST_FILE) -> str | None:
    """`/widget/<hash>/resale-offers.js` of the build on disk, or None without one."""
    try:
        path = json.loads(manifest.read_text())["path"]
    except (OSError, ValueError, KeyError, TypeError):
        log.error("%s is missing or unreadable: no immutable widget URL", manifest)
        return None
    return path if isinstance(path, str) and path.startswith("/widget/") else None


#: Paths served without an API key (the auth layer lets exactly these through).
WIDGET_PATHS: frozenset[str] = frozenset(p for p in (SCRIPT_PATH, hashed_path()) if p)


@dataclass(frozen=True)
class _Script:
    stamp: int
    sha256: str
    plain: bytes
    gzipped: bytes
    etag: str


_loaded: dict[Path, _Script] = {}


def _script(path: Path) -> _Script:
    stamp = path.stat().st_mtime_ns
    loaded = _loaded.get(path)
    if loaded is None or loaded.stamp != stamp:
        plain = path.read_bytes()
        digest = hashlib.sha256(plain).hexdigest()
        etag = f'"{digest[:20]}"'
        zipped = gzip.compress(plain, 9, mtime=0)
        loaded = _loaded[path] = _Script(stamp, digest, plain, zipped, etag)
    return loaded


def widget_routes(script: Path = SCRIPT_FILE) -> list[BaseRoute]:
    def serve(request: Request) -> Response:
        return _serve(request, script, CACHE_CONTROL)

    routes: list[BaseRoute] = [Route(SCRIPT_PATH, serve, methods=["GET", "HEAD"])]
    immutable = hashed_path(script.parent / MANIFEST_FILE.name)
    if immutable:
        digest = immutable.split("/")[2]

        def serve_immutable(request: Request) -> Response:
            return _serve(request, script, IMMUTABLE, digest)

        routes.append(Route(immutable, serve_immutable, methods=["GET", "HEAD"]))
    return routes


def _serve(request: Request, script: Path, cache_control: str, sha256: str = "") -> Response:
    """The script (sync: Starlette runs it in a thread); with `sha256`, only if its
    content still hashes so (an immutable URL never serves other bytes)."""
    try:
        loaded = _script(script)
    except OSError:
        return PlainTextResponse(
            f"The widget is not installed: {script} is missing from this deployment.",
            status_code=404,
        )
    if not loaded.sha256.startswith(sha256):
        return PlainTextResponse("This build of the widget is not served here.", status_code=404)
    headers = {
        "Cache-Control": cache_control,
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
