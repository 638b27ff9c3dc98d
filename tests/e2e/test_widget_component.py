"""<resale-offers> in real headless Chromium, on pages of the test's own origin
(tests/e2e/pages.py; no request interception, so every CORS exchange with the gateway is
real): a strict CSP, a single-page app's navigations, the events, a German page, layout
shift while loading, and a new origin allowed while the gateway serves."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from graph.local.demo_pages import STORES
from graph.routes.widget import DIST, MANIFEST_FILE
from tests.e2e.devstack import ARTIFACTS, DevStack
from tests.e2e.pages import Page, serve_pages
from tests.e2e.test_widget_browser import active_listings, until

pytestmark = pytest.mark.browser

MANIFEST = json.loads(MANIFEST_FILE.read_text())
ENGLISH = ("Pre-owned offers", "offers shown", "Show more", "Like new", "Good", "Try again")
STYLE = (
    "body{margin:0;font:17px/1.5 system-ui,sans-serif}"
    "main{max-width:64rem;margin:0 auto;padding:1rem 2rem}"
)
BELOW = "<p>" + "Free returns within 30 days. Sizes run true to fit. " * 40 + "</p>"


def html(head: str, body: str, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Test shop</title>"
        f'<link rel="stylesheet" href="/page.css">{head}</head>'
        f"<body><main><h1>Air Max 1</h1>{body}</main></body></html>"
    )


def classic(stack: DevStack) -> str:
    """The immutable, SRI-pinned classic script, as docs/embedding.md shows it."""
    return (
        f'<script src="{stack.base_url}{MANIFEST["path"]}" '
        f'integrity="{MANIFEST["integrity"]}" crossorigin="anonymous"></script>'
    )


def element(stack: DevStack, tenant: str = "kicks", product: str = "prd-001", **attrs: str) -> str:
    given = {
        "endpoint": stack.graphql_url,
        "api-key": STORES[tenant].read_key,
        "product-id": product,
        **attrs,
    }
    shown = " ".join(f"{k}='{v}'" for k, v in given.items())
    return f"<resale-offers {shown}></resale-offers>"


def pages(extra: dict[str, Page]) -> dict[str, Page]:
    return {
        "/page.css": Page(STYLE, content_type="text/css"),
        "/favicon.ico": Page(b"", content_type="image/x-icon"),
        **extra,
    }


async def ready(page: Any, selector: str = "resale-offers", state: str = "ready") -> None:
    await page.wait_for_function(
        "([s, w]) => [...document.querySelectorAll(s)].every(e => e.dataset.state === w)"
        " && document.querySelector(s)",
        arg=[selector, state],
        timeout=20_000,
    )


def expected_offers(tenant: str = "kicks", product: str = "prd-001") -> list[dict[str, Any]]:
    return [
        {
            "listingId": i["listingId"],
            "price": str(i["price"]["amount"]),
            "currency": i["price"]["currency"],
            "position": n,
        }
        for n, i in enumerate(active_listings(tenant, product)[:6], start=1)
    ]


STYLES_JS = """() => {
  const r = document.querySelector('resale-offers').shadowRoot;
  const pick = (sel, props) => {
    const s = getComputedStyle(r.querySelector(sel));
    return props.map(p => s.getPropertyValue(p));
  };
  return {
    ul: pick('ul', ['display', 'grid-template-columns', 'list-style-type', 'gap']),
    card: pick('li a', ['display', 'border-top-style', 'border-top-width', 'border-top-left-radius',
                        'padding-top', 'background-color', 'text-decoration-line']),
    photo: pick('li a > :first-child', ['width', 'height', 'aspect-ratio', 'object-fit']),
    title: pick('.t', ['font-weight', 'min-height']),
    button: pick('button', ['background-color', 'color', 'padding-top', 'border-top-style']),
    heading: pick('h2', ['font-size', 'margin-bottom']),
    height: Math.round(r.querySelector('section').getBoundingClientRect().height),
    sheets: r.adoptedStyleSheets.length,
    styleElements: r.querySelectorAll('style').length,
  };
}"""

VIOLATIONS = """window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""


async def test_strict_csp_page_renders_styled_as_without_csp(
    dev_stack: DevStack, chromium: Any
) -> None:
    gateway = dev_stack.base_url
    csp = (
        "default-src 'self'; style-src 'self'; "
        # The directives docs/embedding.md lists for the widget, and no 'unsafe-inline':
        f"script-src 'self' {gateway}; connect-src {gateway} {dev_stack.websocket_url}; "
        f"img-src 'self' https://img.example.com {dev_stack.photos_origin}"
    )
    body = element(dev_stack, live="false")
    served = pages(
        {
            "/plain.html": Page(html(classic(dev_stack), body)),
            "/csp.html": Page(html(classic(dev_stack), body), {"Content-Security-Policy": csp}),
        }
    )
    origin = f"http://127.0.0.1:{dev_stack.pages_port}"
    found: dict[str, Any] = {}
    with serve_pages(dev_stack.pages_port, served):
        for name in ("plain", "csp"):
            context = await chromium.new_context(viewport={"width": 1100, "height": 900})
            await context.add_init_script(VIOLATIONS)
            page = await context.new_page()
            try:
                await page.goto(f"{origin}/{name}.html")
                await ready(page)
                found[name] = await page.evaluate(STYLES_JS)
                await page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))
                found[name + "-violations"] = await page.evaluate("window.__violations")
                if name == "csp":
                    # The control: this policy does block an inline <style> in a shadow
                    # root (what the widget used to do), so the comparison means something.
                    blocked = await page.evaluate(
                        """() => { const d = document.createElement('div');
                             document.body.append(d); const r = d.attachShadow({mode: 'open'});
                             r.innerHTML = '<style>p{color:rgb(1, 2, 3)}</style><p>x</p>';
                             return getComputedStyle(r.querySelector('p')).color; }"""
                    )
                    assert blocked != "rgb(1, 2, 3)"
            finally:
                await context.close()
    assert found["plain-violations"] == []
    assert found["csp-violations"] == []
    assert found["csp"] == found["plain"]
    styled = found["csp"]
    assert styled["ul"][0] == "grid"
    assert styled["ul"][2] == "none"
    assert styled["card"][1:3] == ["solid", "1px"]
    assert styled["photo"][0] == styled["photo"][1]  # square, not a 1200 px photo
    assert styled["sheets"] == 1
    assert styled["styleElements"] == 0


SPA = """
import { define } from "/resale-offers.mjs";
define();
const main = document.querySelector("main");
window.__ready = [];
document.addEventListener("resale:ready", e => window.__ready.push(e.detail.productId));
window.go = (route) => {
  history.pushState({}, "", "#" + route);
  if (route === "none") { main.replaceChildren(Object.assign(document.createElement("p"),
    {textContent: "Your basket is empty."})); return; }
  let widget = main.querySelector("resale-offers");
  if (!widget) {
    widget = document.createElement("resale-offers");
    for (const [k, v] of Object.entries(window.ATTRS)) widget.setAttribute(k, v);
    main.replaceChildren(widget);
  }
  widget.setAttribute("product-id", route);
};
go("prd-001");
"""


async def test_spa_navigations_leave_no_websocket_open(dev_stack: DevStack, chromium: Any) -> None:
    attrs = {"endpoint": dev_stack.graphql_url, "api-key": STORES["kicks"].read_key}
    head = f"<script>window.ATTRS = {json.dumps(attrs)};</script>"
    served = pages(
        {
            "/spa.html": Page(html(head + f'<script type="module">{SPA}</script>', "")),
            "/resale-offers.mjs": Page(
                (DIST / "resale-offers.mjs").read_bytes(), content_type="text/javascript"
            ),
        }
    )
    context = await chromium.new_context()
    page = await context.new_page()
    sockets: list[Any] = []
    subscribed: list[str] = []

    def on_socket(ws: Any) -> None:
        sockets.append(ws)

        def sent(frame: str) -> None:
            message = json.loads(frame)
            if message.get("type") == "subscribe":
                subscribed.append(message["payload"]["variables"]["productId"])

        ws.on("framesent", sent)

    page.on("websocket", on_socket)
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    with serve_pages(dev_stack.pages_port, served):
        try:
            await page.goto(f"http://127.0.0.1:{dev_stack.pages_port}/spa.html")
            views = ["prd-001"]

            async def shown() -> None:  # the current view's listings, and its socket
                await page.wait_for_function(
                    "n => window.__ready.length === n", arg=len(views), timeout=20_000
                )
                await until(lambda: subscribed == views, 15)

            await shown()
            # Five client-side navigations: another product (same element, new
            # attribute), a page without the widget, a new element, another product, and
            # a page without the widget again.
            for route in ("prd-002", "none", "prd-003", "prd-001", "none"):
                await page.evaluate("r => go(r)", route)
                if route != "none":
                    views.append(route)
                    await shown()
            assert await page.evaluate("window.__ready") == views
            assert await page.evaluate("document.querySelectorAll('resale-offers').length") == 0
            await until(lambda: all(ws.is_closed() for ws in sockets), 10)
            assert [ws for ws in sockets if not ws.is_closed()] == []
            assert len(sockets) == len(views) == 4  # one socket per product view, no more
            assert len(loads) == 1  # all client-side
        finally:
            await context.close()


EVENTS = """window.__events = [];
for (const type of ['resale:ready', 'resale:error', 'resale:impression', 'resale:click'])
  document.addEventListener(type, e => window.__events.push({type: e.type, detail: e.detail,
    bubbles: e.bubbles, composed: e.composed, target: e.target.localName}));"""


async def test_events_fire_with_their_payloads(dev_stack: DevStack, chromium: Any) -> None:
    served = pages(
        {"/events.html": Page(html(classic(dev_stack), element(dev_stack, live="false") + BELOW))}
    )
    offers = expected_offers()
    context = await chromium.new_context(viewport={"width": 1280, "height": 560})
    await context.add_init_script(EVENTS)
    page = await context.new_page()
    with serve_pages(dev_stack.pages_port, served):
        try:
            await page.goto(f"http://127.0.0.1:{dev_stack.pages_port}/events.html")
            await ready(page)
            await asyncio.sleep(1)  # IntersectionObserver reports asynchronously

            async def events(kind: str) -> list[dict[str, Any]]:
                found: list[dict[str, Any]] = await page.evaluate("window.__events")
                return [e for e in found if e["type"] == f"resale:{kind}"]

            (ready_event,) = await events("ready")
            assert ready_event["bubbles"]
            assert ready_event["composed"]
            assert ready_event["target"] == "resale-offers"
            assert ready_event["detail"] == {"productId": "prd-001", "count": 6, "offers": offers}
            # Only the offers in view so far: the first row.
            seen = [e["detail"] for e in await events("impression")]
            assert seen, "no impression for the offers in view"
            assert len(seen) < 6, seen
            assert seen == [{"productId": "prd-001", **o} for o in offers[: len(seen)]]
            links = page.locator("resale-offers >> li a")
            for index in (*range(6), 0, 5):  # each into view, then back and forth
                await links.nth(index).scroll_into_view_if_needed()
                await asyncio.sleep(0.3)
            await asyncio.sleep(0.5)
            seen = [e["detail"] for e in await events("impression")]
            assert sorted(seen, key=lambda d: d["position"]) == [
                {"productId": "prd-001", **o} for o in offers
            ]  # every offer, once each
            assert all(e["bubbles"] and e["composed"] for e in await events("impression"))

            await links.nth(1).click()
            (click,) = await events("click")
            assert click["bubbles"]
            assert click["composed"]
            assert click["detail"] == {
                "productId": "prd-001",
                "url": f"http://127.0.0.1:{dev_stack.pages_port}/events.html#listing-{offers[1]['listingId']}",
                **offers[1],
            }
            assert await events("error") == []
        finally:
            await context.close()

    # resale:error, from a page whose widget is not set up.
    served = pages(
        {"/broken.html": Page(html(classic(dev_stack), "<resale-offers></resale-offers>"))}
    )
    context = await chromium.new_context()
    await context.add_init_script(EVENTS)
    page = await context.new_page()
    with serve_pages(dev_stack.pages_port, served):
        try:
            await page.goto(f"http://127.0.0.1:{dev_stack.pages_port}/broken.html")
            await ready(page, state="error")
            errors = [
                e for e in await page.evaluate("window.__events") if e["type"] == "resale:error"
            ]
            assert [e["detail"]["code"] for e in errors] == ["SETUP"]
            assert errors[0]["bubbles"]
            assert errors[0]["composed"]
        finally:
            await context.close()


async def test_german_page_shows_no_english_string(dev_stack: DevStack, chromium: Any) -> None:
    own = json.dumps({"heading": "Aus zweiter Hand", "more": "Weitere"})
    body = (
        element(dev_stack, "threads", live="false", id="de")
        + element(dev_stack, "threads", live="false", id="fr", locale="fr-FR")
        + element(dev_stack, "threads", live="false", id="own", messages=own)
    )
    served = pages({"/de.html": Page(html(classic(dev_stack), body, lang="de"))})
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    with serve_pages(dev_stack.pages_port, served):
        try:
            await page.goto(f"http://127.0.0.1:{dev_stack.pages_port}/de.html")
            await ready(page)
            texts: dict[str, str] = await page.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll('resale-offers')].map(
                     e => [e.id, [...e.shadowRoot.querySelectorAll('h2, .s, .m, .b, button')]
                       .filter(n => n.checkVisibility({visibilityProperty: true}))
                       .map(n => n.textContent).join(' | ')]))"""
            )
            english: list[str] = await page.evaluate(
                "Object.values(window.ResaleOffers.messages.en).filter(s => !s.includes('{'))"
            )
            await page.screenshot(path=str(ARTIFACTS / "widget-de.png"), full_page=True)
        finally:
            await context.close()
    german = texts["de"]
    assert german.startswith("Gebrauchte Angebote | 6 Angebote angezeigt | ")
    assert german.endswith(" | Mehr anzeigen")
    assert any(c in german for c in ("Wie neu", "Gut", "Akzeptabel", "Neu mit Etikett"))
    for text in (*ENGLISH, *english):
        assert text not in german, text
        assert text not in texts["own"], text
    assert texts["own"].startswith("Aus zweiter Hand | 6 Angebote angezeigt | ")
    assert texts["own"].endswith(" | Weitere")
    assert texts["fr"].startswith("Offres d\u2019occasion | 6 offres affich\u00e9es | ")
    assert texts["fr"].endswith(" | Afficher plus")


CLS = """window.__shifts = [];
new PerformanceObserver(list => { for (const e of list.getEntries())
  if (!e.hadRecentInput) window.__shifts.push(e.value); })
  .observe({type: 'layout-shift', buffered: true});"""
#: The control: the same widget put in the page late, as an async script would.
LATE = """<div id="slot"></div><script>setTimeout(() => document.getElementById('slot')
  .append(Object.assign(document.createElement('div'), {innerHTML: WIDGET})), 400);</script>"""


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
async def test_no_layout_shift_while_loading(
    dev_stack: DevStack, chromium: Any, width: int, height: int
) -> None:
    widget = element(dev_stack)
    late = f"<script>window.WIDGET = {json.dumps(widget)};</script>" + LATE
    served = pages(
        {
            "/cls.html": Page(html(classic(dev_stack), widget + BELOW)),
            "/late.html": Page(html(classic(dev_stack), late + BELOW)),
        }
    )
    cls: dict[str, float] = {}
    with serve_pages(dev_stack.pages_port, served):
        for name in ("cls", "late"):
            context = await chromium.new_context(viewport={"width": width, "height": height})
            await context.add_init_script(CLS)
            page = await context.new_page()
            try:
                await page.goto(f"http://127.0.0.1:{dev_stack.pages_port}/{name}.html")
                await ready(page)
                await asyncio.sleep(1.5)  # the photos fail (no such host here): placeholders
                cls[name] = sum(await page.evaluate("window.__shifts"))
                await page.screenshot(path=str(ARTIFACTS / f"widget-{name}-{width}.png"))
            finally:
                await context.close()
    print(
        f"\nCLS at {width}x{height}: {cls['cls']:.4f} (control, inserted late: {cls['late']:.4f})"
    )
    assert cls["late"] > 0.01  # the measurement sees a shift when there is one
    assert cls["cls"] <= 0.01


async def test_refused_socket_is_not_retried(dev_stack: DevStack, chromium: Any) -> None:
    """A 44xx close (here 4403: the gateway refuses a wrong key in connection_init) ends
    the live client: one socket, no retry, the reason in the console."""
    wrong = element(dev_stack).replace(STORES["kicks"].read_key, "rg_kicks-dev-read_wrong")
    served = pages({"/wrong-key.html": Page(html(classic(dev_stack), wrong))})
    context = await chromium.new_context()
    page = await context.new_page()
    sockets: list[Any] = []
    warnings: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws))
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    with serve_pages(dev_stack.pages_port, served):
        try:
            await page.goto(f"http://127.0.0.1:{dev_stack.pages_port}/wrong-key.html")
            await ready(page, state="error")
            await until(lambda: sockets and sockets[0].is_closed(), 10)
            await asyncio.sleep(3)  # a retry would come after 1 s, then 2 s
            assert len(sockets) == 1
            assert any("live updates refused (4403)" in w for w in warnings), warnings
        finally:
            await context.close()
