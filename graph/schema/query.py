"""The root Query type."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.bounds import SHOP_MAX_PARTITIONS
from graph.limits import READ_PARTITIONS
from graph.resolvers import history as history_resolvers
from graph.resolvers import listings as listing_resolvers
from graph.resolvers import sellers as seller_resolvers
from graph.resolvers import shop as shop_resolvers
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
from graph.schema.shop import ShopConnection, ShopFilterInput, ShopOrder, shop_connection
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

    @strawberry.field(
        description="The brand's shop: its listings of a status (default ACTIVE), newest "
        "first or by price, narrowed by `filter` (condition, price) and `where` (custom "
        "fields). Every order is served by an index, and so is an equality filter on a "
        "field the brand declares indexed; other filters read within a budget and may "
        "leave the page partial (`complete`).",
        # One Query per partition it reads (graph/store/planner.py): in its cost.
        metadata={READ_PARTITIONS: SHOP_MAX_PARTITIONS},
    )
    async def shop(
        self,
        info: Info[Context, None],
        status: ListingStatus = ListingStatus.ACTIVE,
        order_by: ShopOrder = ShopOrder.NEWEST,
        filter: ShopFilterInput | None = None,
        where: Where = None,
        first: First = DEFAULT_PAGE,
        after: After = None,
    ) -> ShopConnection:
        price = filter.price if filter is not None else None
        wanted = shop_resolvers.shop_filter(
            info.context,
            condition=[c.value for c in filter.condition or []] if filter is not None else None,
            price_min=price.min if price is not None else None,
            price_max=price.max if price is not None else None,
            where=plain_input(where),
            facets=[(f.field, f.in_) for f in filter.facets or []] if filter is not None else [],
        )
        page = await shop_resolvers.shop(
            info.context,
            status=status.value,
            order=order_by.value,
            wanted=wanted,
            first=first,
            after=after,
        )
        if node_field_selected(info, "seller"):
            await seller_resolvers.prefetch_sellers(info.context, page)
        return shop_connection(page, status.value)
