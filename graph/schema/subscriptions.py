"""The root Subscription type: live listing changes over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from typing import cast

import strawberry
from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from graph.errors import BadRequest, GatewayError
from graph.resolvers import subscriptions as live
from graph.resolvers.context import Context
from graph.schema.types import Listing
from graph.store import Item


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Listings as each change leaves them: created, updated or re-priced, "
        "sold or withdrawn. Narrow with `productId` and/or `sellerId`; none means every "
        "listing of the brand."
    )
    async def listing_changed(
        self,
        info: Info[Context, None],
        product_id: strawberry.ID | None = None,
        seller_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[Listing, None]:
        match = live.listing_match(
            product_id=None if product_id is None else str(product_id),
            seller_id=None if seller_id is None else str(seller_id),
        )
        async for item in live.listing_changes(info.context, match):
            listing = _event(item)
            if listing is not None:
                yield listing

    @strawberry.subscription(description="One listing, as each change leaves it.")
    async def listing_updated(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> AsyncGenerator[Listing, None]:
        match = live.listing_match(listing_id=str(id))
        async for item in live.listing_changes(info.context, match):
            listing = _event(item)
            if listing is not None:
                yield listing


def _event(item: Item | GatewayError) -> Listing | None:
    """The Listing a change yields; a refused change (THROTTLED) is yielded as its error:
    graphql-core completes an event that is an Exception as that field's located error,
    so the client gets `next` with `data: null` and the coded error, resolving nothing,
    and the subscription stays open."""
    if isinstance(item, GatewayError):
        return cast("Listing", item)
    return Listing.from_item(item)


class SubscriptionsOverWebSocket(SchemaExtension):
    """A subscription sent over HTTP gets BAD_REQUEST and the way to subscribe, instead
    of being executed like a query."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        try:
            subscription = ec.operation_type is OperationType.SUBSCRIPTION
        except RuntimeError:  # no single operation: validation has answered already
            subscription = False
        if ec.result is None and subscription and getattr(ec.context, "live", None) is None:
            error = BadRequest(
                "Subscriptions are served over WebSocket: connect to /graphql with the "
                "graphql-transport-ws protocol and send the API key in connection_init "
                '({"apiKey": "rg_..."}). See docs/events.md.'
            )
            # A preset result makes Strawberry skip execution (as RequestLimits does).
            ec.result = ExecutionResult(
                data=None, errors=[GraphQLError(error.message, original_error=error)]
            )
        yield
