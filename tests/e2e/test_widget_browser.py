"""The widget in real headless Chromium, on the demo storefronts `graph dev` serves from
a second origin: listings with formatted prices, "Show more", a refused origin, and the
keyboard alone. Screenshots go to .artifacts/e2e/."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from graph.local import demo
from tests.e2e.devstack import ARTIFACTS, DevStack

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("GRAPH_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE_SIZE = 6
IMAGE_HOST = "https://img.example.com/"
#: The demo pages' languages: kicks is en-US, threads de-DE (widget/src/messages.js).
SHOW_MORE = {"kicks": "Show more", "threads": "Mehr anzeigen"}
CONDITIONS = {
    "kicks": {
        "NEW_WITH_TAGS": "New with tags",
        "LIKE_NEW": "Like new",
        "GOOD": "Good",
        "FAIR": "Fair",
    },
    "threads": {
        "NEW_WITH_TAGS": "Neu mit Etikett",
        "LIKE_NEW": "Wie neu",
        "GOOD": "Gut",
        "FAIR": "Akzeptabel",
    },
}


def active_listings(tenant: str, product: str = "prd-001") -> list[dict[str, Any]]:
    items = [
        i
        for i in demo.dataset(tenant)["listings"]
        if i["productId"] == product and i["status"] == "ACTIVE"
    ]
    return sorted(items, key=lambda i: (i["createdAt"], i["listingId"]), reverse=True)


def formatted(amount: Decimal, tenant: str) -> str:
    """What Intl.NumberFormat gives for the demo pages' locales (en-US USD, de-DE EUR)."""
    text = f"{amount:,.2f}"
    if tenant == "kicks":
        return f"${text}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") + "\u00a0€"


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Any:
    """The module's Chromium (tests/e2e/conftest.py), under this module's old name."""
    return chromium


class Watched:
    """A page with its console errors, failed requests and GraphQL bodies recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.graphql: list[dict[str, Any]] = []
        self.requested: list[str] = []
        self._arrived = asyncio.Event()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("request", self._request)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            if not where.startswith(IMAGE_HOST):  # the demo pictures: no such host here
                self.errors.append(f"{message.text} ({where})")
        elif message.type == "warning":
            self.warnings.append(message.text)

    async def saw_request(self, url: str) -> bool:
        """Whether the page asked for `url`, waiting (10 s at most) for Playwright to
        report it: the request event can arrive after the widget says it is ready."""
        try:
            async with asyncio.timeout(10):
                while url not in self.requested:
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            return False
        return True

    def _request(self, request: Any) -> None:
        self.requested.append(request.url)
        self._arrived.set()
        url = urlsplit(request.url)
        if url.path != "/graphql":
            return
        if request.method == "POST":
            self.graphql.append(json.loads(request.post_data or "{}"))
        elif request.method == "GET":  # the widget's persisted query, APQ-style
            sent: dict[str, Any] = {"method": "GET"}
            for name, value in parse_qsl(url.query):
                sent[name] = json.loads(value) if name in ("variables", "extensions") else value
            self.graphql.append(sent)


async def open_page(browser: Any, url: str) -> Watched:
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    # No page.route() here: with interception on, Playwright answers CORS preflights
    # itself and the gateway never sees them. The demo images (img.example.com) are not
    # on this network, so the widget shows its placeholder for them.
    watched = Watched(page)
    await page.goto(url)
    return watched


async def widget_state(page: Any, wanted: str) -> None:
    await page.wait_for_function(
        "w => document.querySelector('resale-graph-widget')?.dataset.state === w",
        arg=wanted,
        timeout=15_000,
    )


async def cards(page: Any) -> list[dict[str, str]]:
    result: list[dict[str, str]] = await page.evaluate(
        """() => [...document.querySelector('resale-graph-widget').shadowRoot
              .querySelectorAll('li a')].map(a => ({
            href: a.getAttribute('href'),
            title: a.querySelector('.t').textContent,
            price: a.querySelector('.p').textContent,
            meta: a.querySelector('.m').textContent,
        }))"""
    )
    return result


@pytest.mark.parametrize("tenant", ["kicks", "threads"])
async def test_demo_page_renders_listings_and_shows_more(
    dev_stack: DevStack, browser: Any, tenant: str
) -> None:
    expected = active_listings(tenant)
    watched = await open_page(browser, f"{dev_stack.demo_url}/{tenant}/")
    page = watched.page
    try:
        await widget_state(page, "ready")
        shown = await cards(page)
        assert [c["href"] for c in shown] == [
            f"/{tenant}/listings/{i['listingId']}" for i in expected[:PAGE_SIZE]
        ]
        assert [c["title"] for c in shown] == [i["title"] for i in expected[:PAGE_SIZE]]
        assert [c["price"] for c in shown] == [
            formatted(i["price"]["amount"], tenant) for i in expected[:PAGE_SIZE]
        ]
        first = expected[0]
        assert shown[0]["meta"].startswith(CONDITIONS[tenant][first["condition"]])
        # The API's alt text, and a size reserved before the photo arrives: the demo
        # listings' uploaded photos (1600 x 1200, graph/local/demo_photos.py), which the
        # widget prefers to their external images (tests/e2e/test_widget_photos.py).
        photo = await page.evaluate(
            """() => { const i = document.querySelector('resale-graph-widget').shadowRoot
                 .querySelector('li img');
                 return i && [i.alt, i.getAttribute('width'), i.getAttribute('height'),
                              i.getAttribute('src')]; }"""
        )
        assert photo[:3] == [f"{first['title']}, photo 1", "1600", "1200"]
        assert await watched.saw_request(photo[3]), watched.requested
        # It crossed CORS for real: the gateway answered the preflight from this origin.
        # (The request log is JSON, or one text line a request when GRAPH_TEXT_LOGS is on.)
        log = dev_stack.log()
        assert (
            '"method":"OPTIONS","path":"/graphql","status":204' in log
            or " 204 OPTIONS /graphql " in log
        )
        # One fixed operation, by hash only, from the storefront's origin, over GET.
        assert watched.graphql
        assert {b.get("method") for b in watched.graphql} == {"GET"}
        assert all("query" not in body for body in watched.graphql)
        assert {b["extensions"]["persistedQuery"]["version"] for b in watched.graphql} == {1}
        # The host page's hostile CSS does not reach inside the shadow root.
        isolated = await page.evaluate(
            """() => { const r = document.querySelector('resale-graph-widget').shadowRoot;
                 return [getComputedStyle(r.querySelector('ul')).listStyleType,
                         getComputedStyle(r.querySelector('h2')).textTransform,
                         getComputedStyle(r.querySelector('button')).paddingTop]; }"""
        )
        assert isolated == ["none", "none", "8px"]
        await page.screenshot(path=str(ARTIFACTS / f"widget-{tenant}.png"), full_page=True)

        more = page.get_by_role("button", name=SHOW_MORE[tenant])
        await more.click()
        await page.wait_for_function(
            "n => document.querySelector('resale-graph-widget').shadowRoot"
            ".querySelectorAll('li').length === n",
            arg=2 * PAGE_SIZE,
            timeout=15_000,
        )
        await widget_state(page, "ready")
        both = await cards(page)
        assert [c["title"] for c in both] == [i["title"] for i in expected[: 2 * PAGE_SIZE]]
        assert watched.graphql[-1]["variables"]["after"]  # the connection's cursor
        # Keyboard users continue at the first new offer.
        focused = await page.evaluate(
            "document.querySelector('resale-graph-widget').shadowRoot.activeElement"
            ".getAttribute('href')"
        )
        assert focused == f"/{tenant}/listings/{expected[PAGE_SIZE]['listingId']}"
        await page.screenshot(path=str(ARTIFACTS / f"widget-{tenant}-more.png"), full_page=True)
        assert not watched.errors, watched.errors
    finally:
        await page.context.close()


async def test_keyboard_alone_reaches_every_listing_link(dev_stack: DevStack, browser: Any) -> None:
    watched = await open_page(browser, f"{dev_stack.demo_url}/kicks/")
    page = watched.page
    try:
        await widget_state(page, "ready")
        links = {c["href"] for c in await cards(page)}
        reached: list[str] = []
        outlines: set[str] = set()
        for _ in range(len(links) + 5):
            await page.keyboard.press("Tab")
            focus = await page.evaluate(
                """() => { const host = document.querySelector('resale-graph-widget');
                     const el = host.shadowRoot.activeElement;
                     if (!el) return null;
                     const s = getComputedStyle(el);
                     return {href: el.getAttribute('href'), text: el.textContent,
                             outline: s.outlineStyle + ' ' + s.outlineWidth}; }"""
            )
            if focus is None:
                continue
            outlines.add(focus["outline"])
            if focus["href"] is None:
                assert focus["text"] == "Show more"
                break
            reached.append(focus["href"])
        assert reached == [c["href"] for c in await cards(page)]  # in reading order
        assert set(reached) == links
        assert outlines == {"solid 3px"}, outlines  # a visible focus ring, every stop
        await page.keyboard.press("Enter")  # "Show more" works from the keyboard too
        await page.wait_for_function(
            "n => document.querySelector('resale-graph-widget').shadowRoot"
            ".querySelectorAll('li').length === n",
            arg=2 * PAGE_SIZE,
        )
        await page.screenshot(path=str(ARTIFACTS / "widget-keyboard.png"))
    finally:
        await page.context.close()


async def test_refused_origin_shows_the_error_state_and_is_logged(
    dev_stack: DevStack, browser: Any
) -> None:
    # The same storefront under another origin, which no tenant allows.
    port = urlsplit(dev_stack.demo_url).port
    origin = f"http://localhost:{port}"
    watched = await open_page(browser, f"{origin}/kicks/")
    page = watched.page
    try:
        await widget_state(page, "error")
        alert = page.get_by_role("alert")
        assert await alert.text_content() == "Pre-owned offers could not be loaded."
        assert await page.get_by_role("button", name="Try again").is_visible()
        assert await page.get_by_role("button", name="Show more").count() == 0
        assert any(origin in w and "origins add" in w for w in watched.warnings), watched.warnings
        await page.screenshot(path=str(ARTIFACTS / "widget-refused-origin.png"))
    finally:
        await page.context.close()

    async with asyncio.timeout(10):
        while True:
            refusals = [
                json.loads(line)
                for line in dev_stack.log().splitlines()
                if line.startswith("{") and '"cors refused"' in line
            ]
            if any(r.get("origin") == origin for r in refusals):
                break
            await asyncio.sleep(0.2)
    logged = next(r for r in refusals if r["origin"] == origin)
    assert logged["level"] == "WARNING"
    assert logged["preflight"] is True
    assert logged["fix"] == f"graph tenants origins add <tenant> {origin}"


async def test_product_without_listings_shows_the_empty_state(
    dev_stack: DevStack, browser: Any
) -> None:
    watched = await open_page(browser, f"{dev_stack.demo_url}/threads/?product=prd-999")
    page = watched.page
    try:
        await widget_state(page, "empty")
        status = page.get_by_role("status")  # threads: a German page
        assert await status.text_content() == (
            "F\u00fcr dieses Produkt gibt es noch keine gebrauchten Angebote."
        )
        assert await page.get_by_role("button", name=SHOW_MORE["threads"]).count() == 0
        assert not watched.errors, watched.errors
    finally:
        await page.context.close()


KICKS_WRITE = "rg_kicks-dev-write_kicksDevWriteKey0001"
#: How long a fresh stack's stream runner may take to work through the demo backlog.
WARM_UP_SECONDS = 180


async def until(check: Callable[[], object], seconds: float) -> None:
    """Poll `check` until it is truthy; TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            if check():
                return
            await asyncio.sleep(0.1)


async def write(dev_stack: DevStack, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    import httpx

    async with httpx.AsyncClient(timeout=15) as http:
        response = await http.post(
            dev_stack.graphql_url,
            json={"query": query, "variables": variables},
            headers={"X-Api-Key": KICKS_WRITE},
        )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return body["data"]


async def test_sold_listing_is_marked_live_without_a_reload(
    dev_stack: DevStack, browser: Any
) -> None:
    # A listing of its own, so the demo data the other tests expect stays as it is: the
    # newest, so the widget shows it first; sold at the end, so no later page lists it.
    created = await write(
        dev_stack,
        """mutation($input: CreateListingInput!) { createListing(input: $input) {
             listing { id status } userErrors { field message } } }""",
        {
            "input": {
                "sellerId": "sel-001",
                "productId": "prd-001",
                "title": "Sold while you look: Air Max 1",
                "condition": "LIKE_NEW",
                "price": {"amount": "139.00", "currency": "USD"},
                "images": [],
                "custom": {"size": "9"},
            }
        },
    )
    listing = created["createListing"]["listing"]
    assert listing["status"] == "ACTIVE", created
    href = f"/kicks/listings/{listing['id']}"

    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    sockets: list[str] = []
    sent: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []

    def on_socket(ws: Any) -> None:
        sockets.append(ws.url)
        ws.on("framesent", lambda frame: sent.append(json.loads(frame)))
        ws.on("framereceived", lambda frame: received.append(json.loads(frame)))

    page.on("websocket", on_socket)
    watched = Watched(page)
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    try:
        await page.goto(f"{dev_stack.demo_url}/kicks/")
        await widget_state(page, "ready")
        assert href in [c["href"] for c in await cards(page)]
        await page.evaluate("window.__sameDocument = true")
        # The subscription is open once connection_ack arrived and `subscribe` went out.
        await until(lambda: any(m["type"] == "subscribe" for m in sent), 10)
        assert sockets == [dev_stack.websocket_url]
        init, subscribe = sent[:2]
        assert init == {"type": "connection_init", "payload": {"apiKey": demo_read_key()}}
        assert received[0]["type"] == "connection_ack"
        assert subscribe["payload"]["variables"] == {"productId": "prd-001"}
        assert "listingChanged(productId: $productId)" in subscribe["payload"]["query"]

        # A fresh stack's stream runner first works through the demo data's backlog
        # (hundreds of records): a warm-up change to our listing, seen by the widget,
        # shows it has caught up (as tests/node/live.test.mjs does), however long it took.
        def ours() -> list[str]:
            return [
                m["payload"]["data"]["listingChanged"]["status"]
                for m in received
                if m.get("type") == "next"
                and m["payload"]["data"]["listingChanged"]["id"] == listing["id"]
            ]

        await write(
            dev_stack,
            """mutation($id: ID!) { updateListing(id: $id, expectedVersion: 1,
                 input: {custom: {size: "9.5"}}) { listing { version } } }""",
            {"id": listing["id"]},
        )
        await until(lambda: ours(), WARM_UP_SECONDS)
        # (Its creation too, when the backlog still held it at subscribe time.)
        assert set(ours()) == {"ACTIVE"}
        assert await page.evaluate(
            "h => !document.querySelector('resale-graph-widget').shadowRoot"
            ".querySelector(`a[href='${h}']`).className",
            href,
        )  # an ACTIVE change leaves the card as it is

        status = """mutation($id: ID!, $s: ListingStatus!) {
                      setListingStatus(id: $id, status: $s) { listing { status } } }"""
        card = f"a[href='{href}']"
        await write(dev_stack, status, {"id": listing["id"], "s": "RESERVED"})
        await badge(page, href, "Reserved", received, dev_stack)
        await write(dev_stack, status, {"id": listing["id"], "s": "SOLD"})
        await badge(page, href, "Sold", received, dev_stack)
        marked = await page.evaluate(
            """h => { const r = document.querySelector('resale-graph-widget').shadowRoot;
                 const a = r.querySelector(`a[href='${h}']`);
                 return {badges: a.querySelectorAll('.b').length, cls: a.className,
                         border: getComputedStyle(a).borderTopStyle,
                         news: r.querySelector('[aria-live=polite]').textContent,
                         others: r.querySelectorAll('a .b').length}; }""",
            href,
        )
        assert marked == {
            "badges": 1,
            "cls": "x",
            "border": "dashed",
            "news": "Sold while you look: Air Max 1: Sold",
            "others": 1,
        }
        # The accessible name of the link says so too.
        link = page.get_by_role("link", name=re.compile(r"^Sold while you look: Air Max 1\s*Sold"))
        assert await link.count() == 1
        assert await page.evaluate("window.__sameDocument === true")  # no reload
        assert len(loads) == 1
        await page.locator(f"resale-graph-widget >> {card}").scroll_into_view_if_needed()
        await page.screenshot(path=str(ARTIFACTS / "widget-kicks-live-sold.png"), full_page=True)
        assert ours()[-2:] == ["RESERVED", "SOLD"]
        assert set(ours()[:-2]) == {"ACTIVE"}
        assert not watched.errors, watched.errors
    finally:
        await context.close()


async def badge(
    page: Any, href: str, text: str, received: list[dict[str, Any]], dev_stack: DevStack
) -> None:
    """Wait up to 5 s for the card's badge to read `text`; say what arrived if not."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await page.wait_for_function(
            """([h, t]) => document.querySelector('resale-graph-widget').shadowRoot
                 .querySelector(`a[href='${h}'] .b`)?.textContent === t""",
            arg=[href, text],
            timeout=5_000,
        )
    except PlaywrightTimeout:
        pytest.fail(
            f"{href} was not marked {text!r} within 5 s; frames received: {received}\n"
            f"--- graph dev log ---\n{dev_stack.log_tail()}"
        )


def demo_read_key() -> str:
    from graph.local.demo_pages import STORES

    return STORES["kicks"].read_key


async def test_data_live_false_opens_no_websocket(dev_stack: DevStack, browser: Any) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        await page.goto(f"{dev_stack.demo_url}/kicks/?live=false")
        await widget_state(page, "ready")
        assert (
            await page.evaluate("document.querySelector('script[data-product-id]').dataset.live")
            == "false"
        )
        await asyncio.sleep(2)  # the live client would have connected by now
        assert sockets == []
    finally:
        await context.close()

    # The control: the same page without the flag does open one.
    context = await browser.new_context()
    page = await context.new_page()
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        await page.goto(f"{dev_stack.demo_url}/kicks/")
        await widget_state(page, "ready")
        await until(lambda: sockets, 10)
        assert sockets == [dev_stack.websocket_url]
    finally:
        await context.close()


async def test_widget_works_without_websockets(dev_stack: DevStack, browser: Any) -> None:
    """A browser (or a policy) without WebSocket: the list renders, nothing throws."""
    context = await browser.new_context()
    await context.add_init_script("delete window.WebSocket")
    page = await context.new_page()
    watched = Watched(page)
    try:
        await page.goto(f"{dev_stack.demo_url}/kicks/")
        await widget_state(page, "ready")
        assert await page.evaluate("typeof WebSocket") == "undefined"
        assert len(await cards(page)) == PAGE_SIZE
        assert not watched.errors, watched.errors
    finally:
        await context.close()
