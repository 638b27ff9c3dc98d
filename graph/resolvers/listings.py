"""Listing resolvers: read arguments, call a loader or the store, return items.

Types map items to GraphQL objects (graph/schema); resolvers never touch DynamoDB
directly and never see a table name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.bounds import MAX_ITEMS
from graph.context import Context
from graph.errors import BadUserInput
from graph.extensions.filters import conditions
from graph.store import Item, Page


async def listing_by_id(ctx: Context, listing_id: str) -> Item | None:
    return await ctx.loaders.listings.load(listing_id)


async def listings_by_ids(ctx: Context, ids: Sequence[str]) -> list[Item | None]:
    if len(ids) > MAX_ITEMS:
        raise BadUserInput(
            f"`ids` takes at most {MAX_ITEMS} ids; got {len(ids)}. Split the request.",
            argument="ids",
        )
    return list(await ctx.loaders.listings.load_many(list(ids)))


def _primed(ctx: Context, page: Page) -> Page:
    # A later `listing(id)` in the same request is then served from the loader's cache.
    for item in page.items:
        ctx.loaders.listings.prime(item["listingId"], item)
    return page


async def product_listings(
    ctx: Context,
    product_id: str,
    *,
    status: str | None,
    first: int,
    after: str | None,
    where: Any = None,
) -> Page:
    page = await ctx.store.listings.by_product(
        product_id,
        first=first,
        after=after,
        status=status,
        where=conditions(ctx.extension, where, private=ctx.principal.can("write")),
        attributes=ctx.reads.listings,
    )
    return _primed(ctx, page)


async def seller_listings(
    ctx: Context,
    seller_id: str,
    *,
    status: str | None,
    first: int,
    after: str | None,
    where: Any = None,
) -> Page:
    page = await ctx.store.listings.by_seller(
        seller_id,
        first=first,
        after=after,
        status=status,
        where=conditions(ctx.extension, where, private=ctx.principal.can("write")),
        attributes=ctx.reads.listings,
    )
    return _primed(ctx, page)
