"""The guided playground in Chromium, on the `graph dev` stack: every example tab runs
with its key, the picker's key change brings the other tenant's schema with no manual
refetch, an empty Headers editor sends no key and the page says why it was refused."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.playground.examples import dev_key, examples
from tests.e2e.devstack import ARTIFACTS, DevStack
from tests.e2e.test_widget_browser import browser  # noqa: F401 (the module's Chromium)

pytestmark = pytest.mark.browser

HEADERS_EDITOR = "section[aria-label=Headers] .graphiql-editor:not(.hidden) .CodeMirror"
RESULT = ".result-window .CodeMirror"


class Posts:
    """Every POST /graphql the page sends: its key and query, and the answer."""

    def __init__(self, page: Any) -> None:
        self.sent: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.errors: list[str] = []
        page.on("response", self._response)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    async def _response(self, response: Any) -> None:
        request = response.request
        if request.method != "POST" or urlsplit(request.url).path != "/graphql":
            return
        body = json.loads(request.post_data or "{}")
        self.sent.append(
            {
                "key": await request.header_value("x-api-key"),
                "query": body.get("query", ""),
                "status": response.status,
                "answer": await response.json(),
            }
        )
        self.arrived.set()

    def introspections(self, key: str | None) -> list[dict[str, Any]]:
        return [p for p in self.sent if "__schema" in p["query"] and p["key"] == key]

    async def wait(self, predicate: Any, within: float = 15) -> None:
        async with asyncio.timeout(within):
            while not predicate():
                self.arrived.clear()
                await self.arrived.wait()


async def open_playground(browser: Any, dev_stack: DevStack) -> tuple[Any, Posts]:  # noqa: F811
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    posts = Posts(page)
    await page.goto(f"{dev_stack.base_url}/graphql")
    await page.locator(HEADERS_EDITOR).wait_for(state="visible")
    return page, posts


async def show_tab(page: Any, index: int, query: str) -> None:
    """Open a tab and wait until GraphiQL has taken in its document (the operation
    name it sends is derived from the editor's contents)."""
    await page.locator(".graphiql-tab").nth(index).locator("button").first.click()
    await page.wait_for_function(
        "q => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
        ".getValue() === q",
        arg=query,
    )
    await page.wait_for_timeout(400)


async def open_type_docs(page: Any, type_name: str) -> None:
    """Find a type with the docs explorer's search box and open its page."""
    search = page.locator("[data-cy=doc-explorer-input]")
    await search.fill(type_name)
    # The list settles after the search's debounce; the exact match comes first.
    await page.wait_for_function(
        "t => document.querySelector('[data-cy=doc-explorer-option]')?.textContent === t",
        arg=type_name,
    )
    await page.locator("[data-cy=doc-explorer-option]").first.click()
    title = page.locator(".graphiql-doc-explorer-title")
    await title.get_by_text(type_name, exact=True).wait_for()


async def editor_value(page: Any, selector: str) -> str:
    value: str = await page.evaluate(f"document.querySelector({selector!r}).CodeMirror.getValue()")
    return value


async def test_every_example_tab_runs_with_its_key(
    dev_stack: DevStack,
    browser: Any,  # noqa: F811
) -> None:
    page, posts = await open_playground(browser, dev_stack)
    try:
        await posts.wait(lambda: posts.introspections(dev_key("kicks", "read")))
        tabs = page.locator(".graphiql-tab")
        wanted = examples("kicks")
        assert await tabs.count() == len(wanted)
        for index, example in enumerate(wanted):
            await show_tab(page, index, example.query)
            key = dev_key("kicks", example.scope)
            assert json.loads(await editor_value(page, HEADERS_EDITOR)) == {"X-Api-Key": key}
            before = len(posts.sent)
            await page.click("button.graphiql-execute-button")
            await posts.wait(
                lambda b=before: any("__schema" not in p["query"] for p in posts.sent[b:])
            )
            run = next(p for p in posts.sent[before:] if "__schema" not in p["query"])
            assert run["key"] == key, example.title
            assert run["status"] == 200, (example.title, run)
            assert "errors" not in run["answer"], (example.title, run["answer"])
            data = run["answer"]["data"]
            assert all(value is not None for value in data.values()), (example.title, data)
            if "createListing" in data:
                assert data["createListing"]["userErrors"] == []
                assert data["createListing"]["listing"]["custom"] == {
                    "size": "10.5",
                    "colorway": "Infrared",
                }
            shown = await editor_value(page, RESULT)
            assert json.loads(shown)["data"] == data
            await page.screenshot(path=str(ARTIFACTS / f"playground-tab-{index + 1}.png"))
        assert not posts.errors, posts.errors
    finally:
        await page.context.close()


async def test_picking_the_threads_key_brings_its_schema_and_docs(
    dev_stack: DevStack,
    browser: Any,  # noqa: F811
) -> None:
    page, posts = await open_playground(browser, dev_stack)
    try:
        await posts.wait(lambda: posts.introspections(dev_key("kicks", "read")))
        await page.select_option("#playground-key", label="threads: read key")
        # GraphiQL introspects again with the new key by itself: no Re-fetch click.
        await posts.wait(lambda: posts.introspections(dev_key("threads", "read")))
        assert posts.introspections(dev_key("threads", "read"))[-1]["status"] == 200
        await page.wait_for_function(
            "([s, k]) => document.querySelector(s)?.CodeMirror.getValue().includes(k)",
            arg=[HEADERS_EDITOR, dev_key("threads", "read")],
        )
        headers = json.loads(await editor_value(page, HEADERS_EDITOR))
        assert headers == {"X-Api-Key": dev_key("threads", "read")}
        # The threads tenant's own example tabs.
        assert await page.locator(".graphiql-tab").count() == len(examples("threads"))

        await page.click("button[aria-label='Show Documentation Explorer']")
        await open_type_docs(page, "ThreadsListingCustom")
        docs = page.locator(".graphiql-doc-explorer")
        await docs.get_by_text("fabric", exact=True).first.wait_for()
        text = await docs.inner_text()
        assert "Filterable: usable in `where`." in text or "Filterable: usable in where." in text
        assert "KicksListingCustom" not in text
        await page.screenshot(path=str(ARTIFACTS / "playground-threads-docs.png"))

        # The kicks write key (another tenant: the page reloads with its tabs): private
        # and computed fields are told apart in the docs.
        await page.select_option("#playground-key", label="kicks: write key")
        await posts.wait(lambda: posts.introspections(dev_key("kicks", "write")))
        await page.click("button[aria-label='Show Documentation Explorer']")
        await open_type_docs(page, "KicksListingCustom")
        await docs.get_by_text("purchasePrice", exact=True).first.wait_for()
        text = await docs.inner_text()
        for note in ("Private: only write and admin keys see it.", "Computed by the brand"):
            assert note in text, text

        # Same tenant, another key: no reload, GraphiQL introspects again by itself and
        # the private fields leave the docs.
        navigations: list[str] = []
        page.on("framenavigated", lambda frame: navigations.append(frame.url))
        reads = len(posts.introspections(dev_key("kicks", "read")))
        await page.select_option("#playground-key", label="kicks: read key")
        await posts.wait(lambda: len(posts.introspections(dev_key("kicks", "read"))) > reads)
        await (
            page.locator(".graphiql-doc-explorer")
            .get_by_text("purchasePrice")
            .wait_for(state="detached")
        )
        assert navigations == []
        assert not posts.errors, posts.errors
    finally:
        await page.context.close()


async def test_empty_headers_send_no_key_and_the_refusal_is_explained(
    dev_stack: DevStack,
    browser: Any,  # noqa: F811
) -> None:
    page, posts = await open_playground(browser, dev_stack)
    try:
        await posts.wait(lambda: posts.introspections(dev_key("kicks", "read")))
        # GraphiQL fills its editors from the tab state once its editors are loaded, a
        # moment after the first introspection: edit only after that, as a person would.
        await page.wait_for_timeout(1500)
        await page.evaluate(f"document.querySelector({HEADERS_EDITOR!r}).CodeMirror.setValue('')")
        # The picker follows the editor (GraphiQL reports edits after half a second), and
        # the schema follows the key: an introspection without one, refused.
        await page.wait_for_function(
            "() => document.querySelector('#playground-key').value === 'none'"
        )
        await posts.wait(lambda: posts.introspections(None))
        assert posts.introspections(None)[-1]["status"] == 401
        notice = page.locator(".playground-notice")
        await notice.get_by_text("no API key was sent").wait_for()
        assert await editor_value(page, HEADERS_EDITOR) == ""
        before = len(posts.sent)
        await page.click("button.graphiql-execute-button")
        await posts.wait(lambda: any("__schema" not in p["query"] for p in posts.sent[before:]))
        run = next(p for p in posts.sent[before:] if "__schema" not in p["query"])
        assert run["key"] is None
        assert run["status"] == 401

        # A key without the scope: the page names the key and what it lacks.
        await page.select_option("#playground-key", label="kicks: read key")
        await show_tab(page, 4, examples("kicks")[4].query)
        await page.select_option("#playground-key", label="kicks: read key")
        await page.wait_for_function(
            "([s, k]) => document.querySelector(s).CodeMirror.getValue().includes(k)",
            arg=[HEADERS_EDITOR, dev_key("kicks", "read")],
        )
        before = len(posts.sent)
        await page.click("button.graphiql-execute-button")
        await posts.wait(lambda: any("__schema" not in p["query"] for p in posts.sent[before:]))
        await notice.get_by_text("Refused (FORBIDDEN)").wait_for()
        assert "kicks: read key cannot do this" in await notice.inner_text()
        await page.screenshot(path=str(ARTIFACTS / "playground-refused.png"))
    finally:
        await page.context.close()


async def test_a_headers_edit_is_not_undone_by_the_tabs_own_bookkeeping(
    dev_stack: DevStack,
    browser: Any,  # noqa: F811
) -> None:
    """GraphiQL records an edit in its tab state 100 ms after the edit. An edit of the
    query just before emptying Headers lands first, carrying the tab's old headers: the
    page must not put the old key back (it once did, and the two then took turns for
    good, introspecting about ten times a second)."""
    page, posts = await open_playground(browser, dev_stack)
    try:
        await posts.wait(lambda: posts.introspections(dev_key("kicks", "read")))
        await page.wait_for_timeout(1500)
        await page.evaluate(
            "([q, h]) => { const query = document.querySelector(q).CodeMirror;"
            " query.setValue(query.getValue() + ' ');"
            " document.querySelector(h).CodeMirror.setValue(''); }",
            [".graphiql-query-editor .CodeMirror", HEADERS_EDITOR],
        )
        await posts.wait(lambda: posts.introspections(None))
        # Settled: the editor stays empty and nothing more is sent.
        await page.wait_for_timeout(1500)
        sent = len(posts.sent)
        await page.wait_for_timeout(1500)
        assert await editor_value(page, HEADERS_EDITOR) == ""
        assert posts.sent[sent:] == []
        assert await page.locator("#playground-key").input_value() == "none"
        assert not posts.errors, posts.errors
    finally:
        await page.context.close()
