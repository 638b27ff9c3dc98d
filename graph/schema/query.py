"""The root Query type."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.resolvers import history as history_resolvers
from graph.resolvers import listings as listing_resolvers
from graph.resolvers import sellers as seller_resolvers
from graph.resolvers.context import Context
from graph.schema.custom_values import plain_input
from graph.schema.history import AuditEntryConnection, audit_connection
from graph.schema.pagination import (
    DEFAULT_PAGE,
    After,
    First,
    listings_selected,
    node_field_selected,
)
from graph.schema.types import (
    Listing,
    ListingConnection,
    ListingStatus,
    Seller,
    Where,
    connection,
)


@strawberry.type
class Query:
    @strawberry.field(
        description="One listing by id; null when there is none. With `asOf`, the listing "
        "as it was at that instant, rebuilt from its audit trail."
    )
    async def listing(
        self, info: Info[Context, None], id: strawberry.ID, as_of: datetime | None = None
    ) -> Listing | None:
        if as_of is not None:
            return Listing.from_item(await history_resolvers.listing_as_of(info.context, id, as_of))
        return Listing.from_item(await listing_resolvers.listing_by_id(info.context, id))

    @strawberry.field(
        description="Listings by id, in the order asked, null where there is none (at most 100)."
    )
    async def listings(
        self,
        info: Info[Context, None],
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="1 to 100 ids.")],
    ) -> list[Listing | None]:
        items = await listing_resolvers.listings_by_ids(info.context, ids)
        return [Listing.from_item(item) for item in items]

    @strawberry.field(description="One seller by id; null when there is none.")
    async def seller(self, info: Info[Context, None], id: strawberry.ID) -> Seller | None:
        item = await seller_resolvers.seller_by_id(
            info.context, id, listings=listings_selected(info)
        )
        return Seller.from_item(item)

    @strawberry.field(
        description="Every change made with one API key (`actor`), newest first; admin keys "
        "only. `from`/`to` bound the time range."
    )
    async def audit_trail(
        self,
        info: Info[Context, None],
        actor: str,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: First = DEFAULT_PAGE,
        after: After = None,
    ) -> AuditEntryConnection:
        page = await history_resolvers.audit_trail(
            info.context, actor, start=from_, end=to, first=first, after=after
        )
        return audit_connection(page, info.context)

    @strawberry.field(description="Pre-owned listings of a product, newest first.")
    async def product_listings(
        self,
        info: Info[Context, None],
        product_id: strawberry.ID,
        status: ListingStatus | None = None,
        first: First = DEFAULT_PAGE,
        after: After = None,
        where: Where = None,
    ) -> ListingConnection:
        page = await listing_resolvers.product_listings(
            info.context,
            product_id,
            status=status.value if status else None,
            first=first,
            after=after,
            where=plain_input(where),
        )
        if node_field_selected(info, "seller"):
            await seller_resolvers.prefetch_sellers(info.context, page)
        return connection(page)
