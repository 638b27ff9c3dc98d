"""End-to-end fixtures: the dev stack, started once per session as `make dev` starts it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.devstack import DevStack, start_dev_stack


@pytest.fixture(scope="session")
def dev_stack() -> Iterator[DevStack]:
    stack = start_dev_stack()
    try:
        yield stack
    finally:
        stack.stop()
