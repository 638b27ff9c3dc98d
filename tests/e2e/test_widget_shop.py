"""The widget's shop mode in real headless Chromium, on the demo storefronts' shop pages
(`graph dev`, DynamoDB Local, the audit runner keeping the facet counts): the grid, the
sort order, facet filters with their counts, "Show more", the keyboard alone, and a
German page. The gateway's own answers (over HTTP, the same filters) are the oracle."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
import pytest

from graph.local.demo_pages import STORES
from tests.e2e.devstack import ARTIFACTS, DevStack
from tests.e2e.test_widget_browser import WARM_UP_SECONDS, Watched, until

pytestmark = pytest.mark.browser

HOST = "resale-offers[mode=shop]"
PAGE = 12
SHOP = """
query($order: ShopOrder!, $filter: ShopFilter, $after: String) {
  shop(orderBy: $order, filter: $filter, first: 100, after: $after) {
    edges { node { id condition price { amount } } }
    pageInfo { hasNextPage endCursor }
    complete
    facets { field values { value count } }
  }
}
"""


def api(stack: DevStack, tenant: str, order: str, filter: Any = None) -> list[dict[str, Any]]:
    """Every listing of the shop in this order and filter, read through the gateway."""
    nodes: list[dict[str, Any]] = []
    after = None
    with httpx.Client(timeout=15) as http:
        for _ in range(50):
            variables = {"order": order, "filter": filter, "after": after}
            response = http.post(
                stack.graphql_url,
                json={"query": SHOP, "variables": variables},
                headers={"X-Api-Key": STORES[tenant].read_key},
            )
            body = response.json()
            assert "errors" not in body, body
            shop = body["data"]["shop"]
            nodes += [edge["node"] for edge in shop["edges"]]
            if not shop["pageInfo"]["hasNextPage"] and shop["complete"]:
                return nodes
            after = shop["pageInfo"]["endCursor"]
    raise AssertionError("the shop never ended")


def facets(stack: DevStack, tenant: str) -> dict[str, dict[str, int]]:
    with httpx.Client(timeout=15) as http:
        body = http.post(
            stack.graphql_url,
            json={"query": "{ shop(first: 1) { facets { field values { value count } } } }"},
            headers={"X-Api-Key": STORES[tenant].read_key},
        ).json()
    return {
        f["field"]: {v["value"]: v["count"] for v in f["values"]}
        for f in body["data"]["shop"]["facets"]
    }


async def counted(stack: DevStack, tenant: str) -> dict[str, dict[str, int]]:
    """The facet counts once the audit runner has counted every active listing (a
    fresh stack works through the demo data's backlog first)."""
    truth = dict(Counter(n["condition"] for n in api(stack, tenant, "NEWEST")))
    await until(lambda: facets(stack, tenant).get("condition") == truth, WARM_UP_SECONDS)
    return facets(stack, tenant)


async def open_shop(browser: Any, url: str) -> Watched:
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    watched = Watched(page)
    await page.goto(url)
    await ready(page)
    return watched


async def ready(page: Any) -> None:
    await page.wait_for_function(
        "s => ['ready', 'empty'].includes(document.querySelector(s)?.dataset.state)",
        arg=HOST,
        timeout=20_000,
    )


async def cards(page: Any) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = await page.evaluate(
        """s => [...document.querySelector(s).shadowRoot.querySelectorAll('li a')].map(a => ({
              id: a.getAttribute('href').split('/').pop(),
              price: a.querySelector('.p').textContent,
              meta: a.querySelector('.m').textContent}))""",
        HOST,
    )
    for card in shown:
        card["amount"] = Decimal(re.sub(r"[^0-9.]", "", card["price"]))
    return shown


def ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["id"] for n in nodes]


async def test_shop_grid_sorts_filters_shows_counts_and_pages(
    dev_stack: DevStack, chromium: Any
) -> None:
    counts = await counted(dev_stack, "kicks")
    watched = await open_shop(chromium, f"{dev_stack.demo_url}/kicks/shop")
    page = watched.page
    try:
        newest = api(dev_stack, "kicks", "NEWEST")
        assert ids(await cards(page)) == ids(newest[:PAGE])
        # One persisted operation, by hash, over GET; facets with the first page only.
        assert {b["operationName"] for b in watched.graphql} == {"ResaleWidgetShop"}
        assert all("query" not in b for b in watched.graphql)
        assert watched.graphql[0]["variables"]["facets"] is True

        # Every facet value is a checkbox labelled with its count.
        labels = await page.locator(f"{HOST} fieldset label").all_text_contents()
        conditions = {"NEW_WITH_TAGS": "New with tags", "LIKE_NEW": "Like new", "GOOD": "Good"}
        conditions["FAIR"] = "Fair"
        for value, count in counts["condition"].items():
            assert f"{conditions[value]} ({count})" in labels, labels
        for value, count in counts["size"].items():
            assert f"{value} ({count})" in labels
        legends = await page.locator(f"{HOST} legend").all_text_contents()
        assert legends == ["Condition", "Size", "Authenticity grade", "Price"]

        # Sorting asks again and reorders the grid.
        for order, descending in (("PRICE_ASC", False), ("PRICE_DESC", True)):
            await page.locator(f"{HOST} select").select_option(order)
            await ready(page)
            shown = await cards(page)
            amounts = [c["amount"] for c in shown]
            assert amounts == sorted(amounts, reverse=descending), amounts
            assert ids(shown) == ids(api(dev_stack, "kicks", order)[:PAGE])
        assert watched.graphql[-1]["variables"]["orderBy"] == "PRICE_DESC"

        # A filter narrows the grid: a condition, then a size (an indexed field).
        await page.get_by_role("checkbox", name=re.compile(r"^Fair \(")).check()
        await ready(page)
        fair = api(dev_stack, "kicks", "PRICE_DESC", {"condition": ["FAIR"]})
        shown = await cards(page)
        assert ids(shown) == ids(fair[: len(shown)])
        assert shown
        assert all(c["meta"].startswith("Fair") for c in shown)
        size = max(counts["size"], key=lambda v: counts["size"][v])
        await page.get_by_role("checkbox", name=f"{size} ({counts['size'][size]})").check()
        await ready(page)
        both = {"condition": ["FAIR"], "facets": [{"field": "size", "in": [size]}]}
        assert watched.graphql[-1]["variables"]["filter"] == both
        narrowed = api(dev_stack, "kicks", "PRICE_DESC", both)
        assert ids(await cards(page)) == ids(narrowed[:PAGE])
        assert len(narrowed) < len(fair)
        await page.screenshot(path=str(ARTIFACTS / "widget-shop-filtered.png"), full_page=True)

        # Unchecked again, then "Show more" continues with the cursor.
        for name in ("Fair", size):
            await page.get_by_role("checkbox", name=re.compile(rf"^{name} \(")).uncheck()
            await ready(page)
        assert ids(await cards(page)) == ids(api(dev_stack, "kicks", "PRICE_DESC")[:PAGE])
        await page.get_by_role("button", name="Show more").click()
        await page.wait_for_function(
            "([s, n]) => document.querySelector(s).shadowRoot.querySelectorAll('li a').length"
            " === n",
            arg=[HOST, 2 * PAGE],
            timeout=15_000,
        )
        assert ids(await cards(page)) == ids(api(dev_stack, "kicks", "PRICE_DESC")[: 2 * PAGE])
        assert watched.graphql[-1]["variables"]["after"]
        assert watched.graphql[-1]["variables"]["facets"] is False
        assert not watched.errors, watched.errors
    finally:
        await page.context.close()


async def focused(page: Any) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await page.evaluate(
        """s => { const el = document.querySelector(s).shadowRoot.activeElement;
             if (!el) return null;
             const st = getComputedStyle(el);
             return {tag: el.tagName, type: el.type || '', id: el.id,
                     text: el.labels?.[0]?.textContent || el.textContent,
                     href: el.getAttribute('href'),
                     outline: st.outlineStyle + ' ' + st.outlineWidth}; }""",
        HOST,
    )
    return found


async def tab_to(page: Any, wanted: Any, outlines: set[str], most: int = 80) -> dict[str, Any]:
    """Press Tab until the widget's focused element matches `wanted`; every stop inside
    the widget adds its outline to `outlines`."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        now = await focused(page)
        if now is None:
            continue
        outlines.add(now["outline"])
        if wanted(now):
            return now
    raise AssertionError("Tab never reached the control")


async def test_shop_controls_work_from_the_keyboard(dev_stack: DevStack, chromium: Any) -> None:
    await counted(dev_stack, "kicks")
    watched = await open_shop(chromium, f"{dev_stack.demo_url}/kicks/shop")
    page = watched.page
    outlines: set[str] = set()
    try:
        # The sort control first; an arrow key picks the next order and the grid follows.
        await tab_to(page, lambda f: f["tag"] == "SELECT", outlines)
        await page.keyboard.press("ArrowDown")
        await page.wait_for_function(
            "s => document.querySelector(s).shadowRoot.querySelector('select').value"
            " === 'PRICE_ASC'",
            arg=HOST,
        )
        await ready(page)
        amounts = [c["amount"] for c in await cards(page)]
        assert amounts == sorted(amounts)

        # A condition's checkbox: Space checks it, and focus stays on it.
        box = await tab_to(page, lambda f: f["text"].startswith("Good ("), outlines)
        await page.keyboard.press("Space")
        await ready(page)
        assert (await focused(page) or {}).get("text") == box["text"]
        shown = await cards(page)
        assert shown
        assert all(c["meta"].startswith("Good") for c in shown)

        # The price range: typed, then Enter applies it.
        await tab_to(page, lambda f: f["id"] == "rg-p0", outlines)
        await page.keyboard.type("150")
        await page.keyboard.press("Enter")
        await ready(page)
        good = api(
            dev_stack, "kicks", "PRICE_ASC", {"condition": ["GOOD"], "price": {"min": "150"}}
        )
        assert len(good) > PAGE, "the demo data has more than a page of such listings"
        shown = await cards(page)
        assert ids(shown) == ids(good[:PAGE])
        assert min(c["amount"] for c in shown) >= 150

        # On through the listing links to "Show more"; Enter loads the next page and
        # focus lands on its first listing.
        first_link = await tab_to(page, lambda f: f["tag"] == "A", outlines)
        assert first_link["href"].endswith(good[0]["id"])
        await tab_to(page, lambda f: f["tag"] == "BUTTON", outlines, most=PAGE + 2)
        await page.keyboard.press("Enter")
        await page.wait_for_function(
            "([s, n]) => document.querySelector(s).shadowRoot.querySelectorAll('li a').length"
            " === n",
            arg=[HOST, min(2 * PAGE, len(good))],
            timeout=15_000,
        )
        await ready(page)
        landed = await focused(page)
        assert landed is not None
        assert landed["href"].endswith(good[PAGE]["id"])
        assert outlines == {"solid 3px"}, outlines  # a visible focus ring at every stop
        await page.screenshot(path=str(ARTIFACTS / "widget-shop-keyboard.png"))
        assert not watched.errors, watched.errors
    finally:
        await page.context.close()


async def test_german_shop_page_speaks_german(dev_stack: DevStack, chromium: Any) -> None:
    counts = await counted(dev_stack, "threads")
    watched = await open_shop(chromium, f"{dev_stack.demo_url}/threads/shop")
    page = watched.page
    try:
        assert await page.evaluate("document.documentElement.lang") == "de-DE"
        assert await page.locator(f"{HOST} label[for=rg-o]").text_content() == "Sortieren nach "
        options = await page.locator(f"{HOST} option").all_text_contents()
        assert options == ["Neueste zuerst", "Preis: aufsteigend", "Preis: absteigend"]
        legends = await page.locator(f"{HOST} legend").all_text_contents()
        assert legends == ["Zustand", "Gr\u00f6\u00dfe", "Preis"]  # the page names sizeLabel
        labels = await page.locator(f"{HOST} fieldset label").all_text_contents()
        assert f"Gut ({counts['condition']['GOOD']})" in labels
        assert "Von " in labels
        assert "Bis " in labels
        status = await page.locator(f"{HOST} .s").text_content()
        assert status == f"{PAGE} Angebote angezeigt"
        assert await page.get_by_role("button", name="Mehr anzeigen").is_visible()
        assert await page.get_by_role("form", name="Filter").count() == 1
        prices = [c["price"] for c in await cards(page)]
        assert all(p.endswith("\u00a0\u20ac") for p in prices), prices  # de-DE, EUR
        await page.screenshot(path=str(ARTIFACTS / "widget-shop-threads.png"), full_page=True)
        assert not watched.errors, watched.errors
    finally:
        await page.context.close()
