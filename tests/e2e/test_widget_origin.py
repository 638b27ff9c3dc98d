"""The whole story of issue 29 in real headless Chromium: a page on a new origin is
refused; `graph tenants origins add` runs while the gateway serves; the same page then
loads listings and receives a live change, and the gateway never restarted.

The server side (CORS preflights and WebSocket handshakes that read the tenant registry
live, the 4403 close) is another branch's; this test is the widget side's proof."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.e2e.devstack import DevStack
from tests.e2e.pages import Page, serve_pages
from tests.e2e.test_widget_browser import WARM_UP_SECONDS, write
from tests.e2e.test_widget_component import (
    classic,
    element,
    html,
    pages,
    ready,
)

pytestmark = pytest.mark.browser


async def test_new_origin_allowed_while_serving_loads_and_goes_live(
    dev_stack: DevStack, chromium: Any
) -> None:
    """The whole story of issue 29: refused, `graph tenants origins add`, then listings
    and a live change on the same page, the gateway never restarted. The server side
    (preflights and WebSocket handshakes reading the registry live) is another branch's."""
    assert dev_stack.process is not None
    assert dev_stack.tenants_dir is not None
    origin = f"http://localhost:{dev_stack.pages_port}"  # allowed by no tenant
    pid = dev_stack.process.pid
    created = await write(
        dev_stack,
        """mutation($input: CreateListingInput!) { createListing(input: $input) {
             listing { id } userErrors { field message } } }""",
        {
            "input": {
                "sellerId": "sel-001",
                "productId": "prd-001",
                "title": "New origin, live: Air Max 1",
                "condition": "GOOD",
                "price": {"amount": "99.00", "currency": "USD"},
                "images": [],
                "custom": {"size": "10"},
            }
        },
    )
    listing = created["createListing"]["listing"]["id"]
    served = pages({"/story.html": Page(html(classic(dev_stack), element(dev_stack)))})
    context = await chromium.new_context()
    page = await context.new_page()
    with serve_pages(dev_stack.pages_port, served):
        try:
            await page.goto(f"{origin}/story.html")
            await ready(page, state="error")

            env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_")}
            env |= {"GRAPH_STAGE": "dev", "GRAPH_TENANTS_DIR": str(dev_stack.tenants_dir)}
            graph = str(Path(sys.executable).with_name("graph"))
            added = await asyncio.to_thread(
                subprocess.run,
                [graph, "tenants", "origins", "add", "kicks", origin],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert added.returncode == 0, added.stderr

            await page.reload()
            try:
                await ready(page)
            except PlaywrightTimeout:
                state = await page.evaluate("document.querySelector('resale-offers').dataset.state")
                pytest.fail(
                    f"after `graph tenants origins add kicks {origin}` the page still shows "
                    f"{state!r}: the gateway did not apply the new origin to the preflight "
                    "without a restart (issue 29's server side)\n"
                    f"--- graph dev log ---\n{dev_stack.log_tail(20)}"
                )
            card = f"resale-offers >> a[href='#listing-{listing}']"
            assert await page.locator(card).count() == 1
            # A listing is sold after it is reserved (graph/domain.py's lifecycle).
            status = """mutation($id: ID!, $s: ListingStatus!) {
                          setListingStatus(id: $id, status: $s) { listing { status } } }"""
            await write(dev_stack, status, {"id": listing, "s": "RESERVED"})
            await write(dev_stack, status, {"id": listing, "s": "SOLD"})
            await page.wait_for_function(
                """id => document.querySelector('resale-offers').shadowRoot
                     .querySelector(`a[href='#listing-${id}'] .b`)?.textContent === 'Sold'""",
                arg=listing,
                timeout=WARM_UP_SECONDS * 1000,
            )
            assert dev_stack.process.poll() is None
            assert dev_stack.process.pid == pid
        finally:
            await context.close()
