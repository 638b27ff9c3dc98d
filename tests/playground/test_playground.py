"""The self-hosted playground: the page, its static files, and a real browser run."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from graph.local import demo
from graph.playground import STATIC_PATHS, playground_page
from graph.settings import DEV_PLAYGROUND_KEY, Settings
from tests.conftest import Gateway, open_gateway, raw_key

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
HTML = {"Accept": "text/html,application/xhtml+xml"}


def csp_directives(header: str) -> dict[str, list[str]]:
    parts = (p.split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def expected_first_page(product_id: str = "prd-001", first: int = 5) -> list[dict[str, Any]]:
    items = [i for i in demo.dataset("kicks")["listings"] if i["productId"] == product_id]
    items.sort(key=lambda i: (i["createdAt"], i["listingId"]), reverse=True)
    return items[:first]


# -- the page and its files, no browser --------------------------------------------------


async def test_page_is_self_hosted_with_a_strict_csp(gateway: Gateway) -> None:
    response = await gateway.http.get("/graphql", headers=HTML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<title>Resale Graph playground</title>" in html
    for word in ("unpkg", "cdn", "jsdelivr", "esm.sh", "https://", "http://"):
        assert word not in html.lower(), word
    # Every script and stylesheet is one of ours; no inline script at all.
    sources = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s in STATIC_PATHS or s == "data:," for s in sources), sources
    assert re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html) == [
        ' type="application/json" id="playground-config"'
    ]

    csp = csp_directives(response.headers["content-security-policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert all(not s.startswith(("http", "*")) for v in csp.values() for s in v), csp
    nonce = next(s for s in csp["style-src"] if s.startswith("'nonce-"))[7:-1]
    config = json.loads(re.findall(r'id="playground-config">(.*?)</script>', html)[0])
    assert config["styleNonce"] == nonce
    assert config["graphqlPath"] == "/graphql"
    assert 'productListings(productId: "prd-001", first: 5)' in config["defaultQuery"]
    # Stage test: no default key; the headers editor shows where one goes.
    assert json.loads(config["defaultHeaders"]) == {"X-Api-Key": ""}
    assert response.headers["cache-control"] == "no-store"

    again = await gateway.http.get("/graphql", headers=HTML)
    assert again.headers["content-security-policy"] != response.headers["content-security-policy"]


async def test_static_files_are_public_and_only_the_needed_ones(gateway: Gateway) -> None:
    settings = gateway.runtime.settings
    if not (settings.playground_assets / "node_modules").is_dir():
        pytest.fail("The playground assets are not installed: run `make playground-assets`.")
    for path in sorted(STATIC_PATHS):
        response = await gateway.http.get(path)  # no API key
        assert response.status_code == 200, (path, response.text[:200])
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].startswith(kind), path
        assert response.headers["x-content-type-options"] == "nosniff"
    for path in (
        "/playground/static/",
        "/playground/static/package.json",
        "/playground/static/node_modules/react/package.json",
        "/playground/static/../../graph/settings.py",
        "/playground/static/graphiql.min.js.map",
    ):
        response = await gateway.http.get(path)
        assert response.status_code in (401, 404), path


async def test_no_playground_when_the_ide_is_off(ddb: Any, settings: Settings) -> None:
    async with open_gateway(ddb, settings.model_copy(update={"graphiql": False})) as gateway:
        assert (await gateway.http.get("/graphql", headers=HTML)).status_code == 401
        for path in STATIC_PATHS:
            assert (await gateway.http.get(path)).status_code == 401, path


async def test_page_says_what_to_run_when_assets_are_missing(tmp_path: Path) -> None:
    response = playground_page(assets_dir=tmp_path / "nothing-here", default_headers=None)
    assert response.status_code == 503
    html = bytes(response.body).decode()
    assert "make playground-assets" in html
    assert "graphiql.min.js" in html
    assert "'nonce-" in response.headers["content-security-policy"]


def test_default_key_only_in_dev() -> None:
    assert Settings(stage="dev").playground_default_key == DEV_PLAYGROUND_KEY
    assert Settings(stage="test").playground_default_key is None
    prod = Settings(stage="prod", cursor_secret="p" * 43)
    assert prod.playground_default_key is None
    with pytest.raises(ValueError, match="GRAPH_PLAYGROUND_DEFAULT_KEY"):
        Settings(stage="prod", cursor_secret="p" * 43, playground_default_key="rg_x_y")


# -- a real browser ----------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    gateway: Gateway


@pytest.fixture
async def live_server(ddb: Any, settings: Settings) -> AsyncIterator[LiveServer]:
    """The gateway on a free loopback port, in this event loop (it shares `ddb`), with
    the test tenant's read key as the playground's default key."""
    keyed = settings.model_copy(update={"playground_default_key": raw_key("kicks", "read")})
    async with open_gateway(ddb, keyed) as gateway, served(gateway.app) as url:
        yield LiveServer(url, gateway)


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """The app under uvicorn on a free loopback port, in this event loop; stopped on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


@pytest.fixture
def chromium(settings: Settings) -> Path:
    """Debian's chromium and the playground's assets, or a failure saying what to run."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make browser` (as root).")
    if not (settings.playground_assets / "node_modules").is_dir():
        pytest.fail("The playground assets are not installed: run `make playground-assets`.")
    return CHROMIUM


@pytest.mark.browser
async def test_playground_runs_the_default_query_in_chromium(
    chromium: Path, live_server: LiveServer, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    requests: list[str] = []
    graphql_posts: list[dict[str, Any]] = []
    introspected = asyncio.Event()
    console_errors: list[str] = []
    failed: list[str] = []
    expected = expected_first_page()

    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh user-data-dir
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
            page.on(
                "console",
                lambda m: console_errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: console_errors.append(f"page error: {e}"))

            async def on_response(response: Any) -> None:
                if response.status >= 400:
                    failed.append(f"{response.status} {response.url}")
                request = response.request
                if request.method == "POST" and urlsplit(request.url).path == "/graphql":
                    graphql_posts.append(
                        {
                            "status": response.status,
                            "key": await request.header_value("x-api-key"),
                            "query": (request.post_data_json or {}).get("query", ""),
                            "body": await response.json(),
                        }
                    )
                    if "__schema" in graphql_posts[-1]["query"]:
                        introspected.set()

            page.on("response", on_response)

            await page.goto(f"{live_server.url}/graphql", wait_until="networkidle")
            assert await page.title() == "Resale Graph playground"
            # The headers editor is open and pre-filled with the tenant's key.
            headers_editor = "section[aria-label=Headers] .graphiql-editor:not(.hidden) .CodeMirror"
            await page.locator(headers_editor).wait_for(state="visible")
            headers_text = await page.evaluate(
                f"document.querySelector({headers_editor!r}).CodeMirror.getValue()"
            )
            assert json.loads(headers_text) == {"X-Api-Key": raw_key("kicks", "read")}
            # Introspection went through POST /graphql with that key.
            await asyncio.wait_for(introspected.wait(), 10)
            introspections = [p for p in graphql_posts if "__schema" in p["query"]]
            assert introspections[0]["status"] == 200, introspections
            assert introspections[0]["key"] == raw_key("kicks", "read")
            assert "errors" not in introspections[0]["body"]

            await page.click("button.graphiql-execute-button")
            result = page.locator(".result-window")
            await result.get_by_text(expected[0]["title"]).first.wait_for(timeout=10_000)
            shown = await page.evaluate(
                "document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"
            )
            body = json.loads(shown)
            assert "errors" not in body, body
            edges = body["data"]["productListings"]["edges"]
            assert [e["node"]["id"] for e in edges] == [i["listingId"] for i in expected]
            assert [e["node"]["title"] for e in edges] == [i["title"] for i in expected]
            assert all(e["node"]["price"]["currency"] == "USD" for e in edges)
            assert body["data"]["productListings"]["pageInfo"]["hasNextPage"] is True

            # GraphiQL's dialogs inject <style> elements: the CSP nonce must cover them.
            await page.click("button[aria-label='Open settings dialog']")
            await page.get_by_role("dialog").wait_for()
            nonces = await page.evaluate(
                "[...document.querySelectorAll('style')].map(s => s.nonce)"
            )
            assert nonces, "GraphiQL injected no <style>: the nonce check checked nothing"
            assert all(nonces), nonces
            await page.keyboard.press("Escape")

            shot = os.environ.get("GRAPH_TEST_SCREENSHOT") or str(tmp_path / "playground.png")
            await page.screenshot(path=shot)
            print(f"\nscreenshot: {shot}")
        finally:
            await context.close()

    assert f"{live_server.url}/playground/static/graphiql.min.js" in requests
    hosts = {urlsplit(url).hostname for url in requests if not url.startswith("data:")}
    assert hosts <= {"127.0.0.1", "localhost"}, sorted(set(requests))
    assert not console_errors, console_errors
    assert not failed, failed
