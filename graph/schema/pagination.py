"""Relay-style pagination pieces shared by every connection."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from graph.resolvers.sellers import ListingsPage

DEFAULT_PAGE = 20

First = Annotated[int, strawberry.argument(description="How many items, 1 to 100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="A cursor from a previous page of this query.")
]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def listings_selected(info: Info[Any, Any]) -> list[ListingsPage]:
    """The `listings` pages selected directly under this field (no `where`, no
    directives: those are left to `Seller.listings` itself), so the resolver can read
    them together with the seller."""
    wanted = []
    for field in info.selected_fields:
        for selection in field.selections:
            if not isinstance(selection, SelectedField) or selection.name != "listings":
                continue
            arguments = selection.arguments
            if selection.directives or arguments.get("where") is not None:
                continue
            first = arguments.get("first", DEFAULT_PAGE)
            status = arguments.get("status")
            wanted.append(
                ListingsPage(
                    first=first if isinstance(first, int) else DEFAULT_PAGE,
                    after=arguments.get("after"),
                    status=getattr(status, "value", status),
                )
            )
    return wanted


def _under(selections: list[Any], name: str) -> list[SelectedField]:
    """The fields named `name` among `selections`, through fragments; none under a
    directive (whether it applies is left to execution)."""
    found = []
    for selection in selections:
        if selection.directives:
            continue
        if isinstance(selection, SelectedField):
            if selection.name == name:
                found.append(selection)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            found.extend(_under(selection.selections, name))
    return found


def node_field_selected(info: Info[Any, Any], name: str) -> bool:
    """Whether this connection field selects `edges { node { <name> } }`."""
    edges = [e for f in info.selected_fields for e in _under(f.selections, "edges")]
    nodes = [n for e in edges for n in _under(e.selections, "node")]
    return any(_under(n.selections, name) for n in nodes)
