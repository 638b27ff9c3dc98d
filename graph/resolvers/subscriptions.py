"""Subscription resolvers: the tenant's listing changes that match the arguments.

Changes come from the broker (fed by the tables' stream, never by the write path), so
a change made by any writer is seen. A removed listing yields nothing: subscriptions
yield the listing as a change left it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from graph.errors import BadUserInput, GatewayError
from graph.resolvers.context import Context
from graph.store import Item

Match = Callable[[Item], bool]


def listing_match(
    *, listing_id: str | None = None, product_id: str | None = None, seller_id: str | None = None
) -> Match:
    def match(item: Item) -> bool:
        return (
            (listing_id is None or item.get("listingId") == listing_id)
            and (product_id is None or item.get("productId") == product_id)
            and (seller_id is None or item.get("sellerId") == seller_id)
        )

    return match


async def listing_changes(ctx: Context, match: Match) -> AsyncIterator[Item | GatewayError]:
    """The matching changes' items; a change the tenant's bucket cannot pay for is its
    refusal instead (the schema delivers it as the event's coded error)."""
    live = ctx.live
    if live is None:
        raise BadUserInput(
            "Subscriptions are served over WebSocket: connect to /graphql with the "
            "graphql-transport-ws protocol (e.g. the graphql-ws client) and send the API key "
            'as {"apiKey": "rg_..."} in connection_init.'
        )
    async with live.changes() as queue:
        while True:
            change = await queue.get()
            if change is None:
                return  # the source has no more changes
            if change.item is None or not match(change.item):
                continue
            refused = await live.refresh(ctx)
            yield change.item if refused is None else refused
