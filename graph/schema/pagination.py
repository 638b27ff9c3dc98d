"""Relay-style pagination pieces shared by every connection."""

from __future__ import annotations

from typing import Annotated

import strawberry

DEFAULT_PAGE = 20

First = Annotated[int, strawberry.argument(description="How many items, 1 to 100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="A cursor from a previous page of this query.")
]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
