"""End-to-end fixtures: one `graph dev` stack per test session."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.devstack import DevStack, start_dev_stack

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


@pytest.fixture(scope="session")
def dev_stack() -> Iterator[DevStack]:
    stack = start_dev_stack()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    """Debian's headless Chromium through Playwright, once per test module."""
    from playwright.async_api import async_playwright

    if not CHROMIUM.exists():  # noqa: ASYNC240 (once per module)
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make browser` (as root).")
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()
