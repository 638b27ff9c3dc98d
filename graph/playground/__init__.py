"""The self-hosted GraphiQL playground served at GET /graphql.

Everything the page loads comes from this gateway: React, ReactDOM and GraphiQL (UMD
builds, pinned in `graph/playground/package.json`, installed into `.cache/playground` by
`make playground-assets`) plus this package's own `static/` files, all under
`/playground/static/`. The page carries a strict Content-Security-Policy: no
third-party origin, no inline script (its settings travel in a JSON data block), and a
per-response nonce only for the `<style>` elements GraphiQL's dialogs inject.

Queries, introspection included, go through the normal POST /graphql with the key from
the headers editor: the key picks the tenant, and with it the schema.
"""

from __future__ import annotations

import json
import secrets
from html import escape
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

STATIC_PREFIX = "/playground/static"
_OWN_STATIC = Path(__file__).resolve().parent / "static"
_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"

#: URL name -> (file under the assets folder, media type): the npm files the page needs.
VENDOR_FILES: dict[str, tuple[str, str]] = {
    "react.production.min.js": ("node_modules/react/umd/react.production.min.js", _JS),
    "react-dom.production.min.js": (
        "node_modules/react-dom/umd/react-dom.production.min.js",
        _JS,
    ),
    "graphiql.min.js": ("node_modules/graphiql/graphiql.min.js", _JS),
    "graphiql.min.css": ("node_modules/graphiql/graphiql.min.css", _CSS),
}
#: URL name -> media type: this package's own files, from `static/`.
OWN_FILES: dict[str, str] = {"playground.js": _JS, "playground.css": _CSS}

#: Every path the static routes answer: the auth layer lets exactly these through.
STATIC_PATHS: frozenset[str] = frozenset(
    f"{STATIC_PREFIX}/{name}" for name in (*VENDOR_FILES, *OWN_FILES)
)

TITLE = "Resale Graph playground"
ASSETS_COMMAND = "make playground-assets"
#: The headers editor's contents when no default key is configured.
KEY_PLACEHOLDER = {"X-Api-Key": ""}

EXAMPLE_QUERY = """\
# Resale Graph playground. Every request, schema
# introspection included, carries the headers in
# the Headers tab below: put your API key there,
# {"X-Api-Key": "rg_..."}. Run with Ctrl-Enter.
query ProductPage {
  productListings(productId: "prd-001", first: 5) {
    edges {
      node {
        id
        title
        price { amount currency }
        seller { displayName }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def missing_assets(assets_dir: Path) -> list[str]:
    """The npm files the page needs that are not in `assets_dir` (relative paths)."""
    return [rel for rel, _ in VENDOR_FILES.values() if not (assets_dir / rel).is_file()]


def content_security_policy(style_nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{style_nonce}'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def _json_for_html(value: object) -> str:
    """JSON that is safe inside a `<script type="application/json">` block."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(nonce),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def playground_page(
    *,
    assets_dir: Path,
    graphql_path: str = "/graphql",
    default_headers: dict[str, str] | None = None,
    example_query: str = EXAMPLE_QUERY,
    picker: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The playground page, or (503) a page saying how to install its assets."""
    nonce = secrets.token_urlsafe(18)
    missing = missing_assets(assets_dir)
    if missing:
        items = "".join(f"<li><code>{escape(m)}</code></li>" for m in missing)
        body = _MISSING.format(
            title=escape(TITLE),
            command=escape(ASSETS_COMMAND),
            items=items,
            nonce=nonce,
        )
        return HTMLResponse(body, status_code=503, headers=_page_headers(nonce))
    config = {
        "graphqlPath": graphql_path,
        "defaultQuery": example_query,
        "defaultHeaders": json.dumps(default_headers or KEY_PLACEHOLDER, indent=2),
        "styleNonce": nonce,
        "title": TITLE,
        # The tenant/key picker's keys and each tenant's example tabs (examples.py).
        "keys": (picker or {}).get("keys", []),
        "examples": (picker or {}).get("examples", {}),
    }
    body = _PAGE.format(
        title=escape(TITLE),
        static=STATIC_PREFIX,
        config=_json_for_html(config),
        command=escape(ASSETS_COMMAND),
    )
    return HTMLResponse(body, headers=_page_headers(nonce))


def playground_routes(assets_dir: Path) -> list[BaseRoute]:
    """GET routes for exactly the files the page loads, under `/playground/static/`.

    Files are looked up per request, so `make playground-assets` works without a restart.
    """
    files = {name: (assets_dir / rel, media) for name, (rel, media) in VENDOR_FILES.items()}
    files |= {name: (_OWN_STATIC / name, media) for name, media in OWN_FILES.items()}

    def serve(name: str, path: Path, media_type: str) -> Route:
        def endpoint(request: Request) -> Response:  # sync: Starlette runs it in a thread
            if not path.is_file():
                return PlainTextResponse(
                    f"{name} is not installed: run `{ASSETS_COMMAND}`.", status_code=404
                )
            return FileResponse(
                path,
                media_type=media_type,
                headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
            )

        return Route(f"{STATIC_PREFIX}/{name}", endpoint, methods=["GET", "HEAD"])

    return [serve(name, path, media) for name, (path, media) in files.items()]


_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}/graphiql.min.css">
<link rel="stylesheet" href="{static}/playground.css">
</head>
<body>
<div id="graphiql" class="playground-boot">
<p>Loading the playground&hellip;</p>
<p class="playground-hint">If this stays, its JavaScript did not load: run
<code>{command}</code> and reload (see the browser console).</p>
</div>
<script type="application/json" id="playground-config">{config}</script>
<script src="{static}/react.production.min.js"></script>
<script src="{static}/react-dom.production.min.js"></script>
<script src="{static}/graphiql.min.js"></script>
<script src="{static}/playground.js"></script>
</body>
</html>
"""

_MISSING = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}: assets not installed</title>
<link rel="icon" href="data:,">
<style nonce="{nonce}">
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 3rem auto;
  padding: 0 1rem; color: #1b1f24; }}
code, pre {{ font: 14px ui-monospace, monospace; background: #f1f3f5; padding: 0 .25rem; }}
pre {{ padding: .75rem 1rem; }}
</style>
</head>
<body>
<h1>{title}: assets not installed</h1>
<p>The playground is self-hosted: it loads GraphiQL and React from this server, and
they are not installed yet. From the repository root, run:</p>
<pre>{command}</pre>
<p>then reload this page. Missing from the assets folder (setting
<code>GRAPH_PLAYGROUND_ASSETS</code>, by default <code>.cache/playground</code>):</p>
<ul>{items}</ul>
<p>The API itself works without them: POST queries to <code>/graphql</code> with an
<code>X-Api-Key</code> header.</p>
</body>
</html>
"""
