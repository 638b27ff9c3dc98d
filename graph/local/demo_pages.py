"""Demo storefronts for `make dev`: a product page per demo tenant, on a second origin.

`graph dev` serves these on another port (8001 by default) than the gateway (8000), so
the widget on them crosses CORS exactly as it does on a brand's site: the page's origin
must be in the tenant's `origins` (tenants/registry/*.toml allow http://127.0.0.1:8001).

    http://127.0.0.1:8001/              the list of demo pages
    http://127.0.0.1:8001/kicks/        Kicks & Co. product page, en-US, USD
    http://127.0.0.1:8001/threads/      Threadline product page, de-DE, EUR
    ...?product=prd-002                 another product; prd-999 shows the empty state
    ...?live=false                      the widget without live updates (data-live)
    http://127.0.0.1:8001/kicks/shop    the brand's resale shop: the widget's shop mode
                                        (sort, facet filters, price range, paging)

Only for local development: the pages carry the tenants' dev read keys.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from graph.local import demo
from graph.registry.tenants import load_registry
from graph.routes.widget import SCRIPT_PATH
from graph.settings import Settings


@dataclass(frozen=True)
class DemoStore:
    tenant_id: str
    brand: str
    read_key: str
    locale: str
    #: The brand's theme, through the widget's CSS custom properties.
    theme: str
    #: The shop's labels of the brand's indexed fields (the widget's `messages`, JSON).
    messages: str = "{}"


STORES: dict[str, DemoStore] = {
    "kicks": DemoStore(
        "kicks",
        "Kicks & Co.",
        "rg_kicks-dev-read_kicksDevReadKey0001",
        "en-US",
        "--rg-accent: #b3261e; --rg-focus: #b3261e; --rg-radius: 2px;",
    ),
    "threads": DemoStore(
        "threads",
        "Threadline Apparel",
        "rg_threads-dev-read_threadsDevReadKey0001",
        "de-DE",
        "--rg-accent: #1f4d3a; --rg-focus: #1f4d3a; --rg-radius: 14px; "
        "--rg-font: 16px/1.5 Georgia, serif;",
        '{"sizeLabel": "Gr\u00f6\u00dfe"}',
    ),
}
_PRODUCT = re.compile(r"^prd-\d{3}$")


def product_name(tenant_id: str, product_id: str) -> str:
    names = demo.CATALOGS[tenant_id]["products"]
    index = int(product_id[4:]) - 1
    return str(names[index]) if 0 <= index < len(names) else "A product without resale offers"


def demo_app(gateway_url: str) -> Starlette:
    """The storefront app; `gateway_url` is the gateway's base URL (no trailing slash)."""

    def index(request: Request) -> Response:
        items = "".join(
            f'<li><a href="/{s.tenant_id}/">{escape(s.brand)}</a> '
            f'(<a href="/{s.tenant_id}/shop">resale shop</a>)</li>'
            for s in STORES.values()
        )
        return HTMLResponse(_INDEX.format(items=items))

    def embed(store: DemoStore, request: Request) -> dict[str, str]:
        """What a product page and a shop page both fill in: the page's language, brand and
        theme, and the widget's script, endpoint, key, listing links and live updates."""
        return {
            "lang": store.locale,
            "brand": escape(store.brand),
            "theme": store.theme,
            "script": f"{gateway_url}{SCRIPT_PATH}",
            "endpoint": f"{gateway_url}/graphql",
            "key": store.read_key,
            "listing_url": f"/{store.tenant_id}/listings/{{id}}",
            "live": "false" if request.query_params.get("live") == "false" else "true",
        }

    def product(request: Request) -> Response:
        store = STORES.get(request.path_params["tenant"])
        product_id = request.query_params.get("product", "prd-001")
        if store is None or not _PRODUCT.match(product_id):
            return HTMLResponse("<h1>Not found</h1>", status_code=404)
        return HTMLResponse(
            _PAGE.format(
                **embed(store, request),
                product=escape(product_name(store.tenant_id, product_id)),
                product_id=product_id,
            )
        )

    def shop(request: Request) -> Response:
        store = STORES.get(request.path_params["tenant"])
        if store is None:
            return HTMLResponse("<h1>Not found</h1>", status_code=404)
        return HTMLResponse(
            _SHOP.format(**embed(store, request), messages=escape(store.messages, quote=True))
        )

    def listing(request: Request) -> Response:
        store = STORES.get(request.path_params["tenant"])
        if store is None:
            return HTMLResponse("<h1>Not found</h1>", status_code=404)
        listing_id = escape(request.path_params["listing"])
        return HTMLResponse(
            f"<!doctype html><title>{listing_id}</title><h1>{escape(store.brand)}: "
            f"listing {listing_id}</h1><p>A real shop shows the listing here. "
            f'<a href="/{store.tenant_id}/">Back</a></p>'
        )

    return Starlette(
        routes=[
            Route("/", index),
            Route("/{tenant}/", product),
            Route("/{tenant}/shop", shop),
            Route("/{tenant}/listings/{listing}", listing),
        ]
    )


def start_demo_pages(
    host: str, port: int, gateway_url: str, say: Callable[[str], None]
) -> list[str]:
    """Serve the storefronts in a daemon thread (it dies with `graph dev`); returns their
    URLs. Says which demo tenant does not allow that origin, and how to allow it."""
    import uvicorn

    origin = f"http://{host}:{port}"
    settings = Settings()
    registry = load_registry(settings.tenants_dir, settings.stage)
    for tenant_id in STORES:
        tenant = registry.tenants.get(tenant_id)
        if tenant is not None and origin not in tenant.config.origins:
            say(
                f"  note: {tenant_id} does not allow {origin}, so its demo page will show the "
                f"widget's error state: graph tenants origins add {tenant_id} {origin}"
            )
    config = uvicorn.Config(
        demo_app(gateway_url), host=host, port=port, log_level="warning", access_log=False
    )
    threading.Thread(target=uvicorn.Server(config).run, name="demo-pages", daemon=True).start()
    return [f"{origin}/{tenant_id}/" for tenant_id in STORES]


_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Resale Graph demo storefronts</title>
<link rel="icon" href="data:,"></head>
<body><h1>Demo storefronts</h1><ul>{items}</ul>
<p>Each page embeds the resale widget from the gateway, on this other origin.</p></body></html>
"""

_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{product} | {brand}</title>
<link rel="icon" href="data:,">
<style>
body {{ font: 17px/1.5 system-ui, sans-serif; margin: 0; color: #222; }}
header {{ padding: 1rem 2rem; border-bottom: 1px solid #ddd; font-weight: 700; }}
main {{ max-width: 64rem; margin: 0 auto; padding: 1rem 2rem 3rem; }}
/* Host-page rules that would wreck an unisolated widget: */
ul {{ list-style: square; }} a {{ color: magenta; }} h2 {{ text-transform: uppercase; }}
button {{ all: unset; }}
resale-graph-widget {{ {theme} margin-top: 2rem; }}
</style>
</head>
<body>
<header>{brand}</header>
<main>
<h1>{product}</h1>
<p>Sold new by {brand}, or pre-owned by other customers:</p>
<script src="{script}" data-endpoint="{endpoint}" data-api-key="{key}"
  data-product-id="{product_id}" data-listing-url="{listing_url}" data-live="{live}"
  async></script>
</main>
</body>
</html>
"""

_SHOP = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Resale shop | {brand}</title>
<link rel="icon" href="data:,">
<script src="{script}"></script>
<style>
body {{ font: 17px/1.5 system-ui, sans-serif; margin: 0; color: #222; }}
header {{ padding: 1rem 2rem; border-bottom: 1px solid #ddd; font-weight: 700; }}
main {{ max-width: 72rem; margin: 0 auto; padding: 1rem 2rem 3rem; }}
ul {{ list-style: square; }} a {{ color: magenta; }} button {{ all: unset; }}
resale-offers {{ {theme} }}
</style>
</head>
<body>
<header>{brand}</header>
<main>
<h1>Resale shop</h1>
<resale-offers mode="shop" endpoint="{endpoint}" api-key="{key}" page-size="12"
  listing-url="{listing_url}" live="{live}" messages="{messages}"></resale-offers>
</main>
</body>
</html>
"""
