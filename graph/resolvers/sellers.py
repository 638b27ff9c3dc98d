"""Seller resolvers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from graph.context import Context
from graph.resolvers import listings as listing_resolvers
from graph.store import Item, Page


@dataclass(frozen=True)
class ListingsPage:
    """The arguments of one `Seller.listings` selection (without `where`)."""

    first: int
    after: str | None
    status: str | None


async def seller_by_id(
    ctx: Context, seller_id: str, *, listings: Sequence[ListingsPage] = ()
) -> Item | None:
    """The seller; with `listings`, the pages of its listings the query selects are
    read in the same wave (they need only the seller's id), as hand-written code
    would, and `seller_listings_page` hands them to `Seller.listings`."""
    if not listings:
        return await ctx.loaders.sellers.load(seller_id)
    pages = {
        wanted: asyncio.ensure_future(
            listing_resolvers.seller_listings(
                ctx, seller_id, status=wanted.status, first=wanted.first, after=wanted.after
            )
        )
        for wanted in listings
    }
    try:
        item = await ctx.loaders.sellers.load(seller_id)
    except BaseException:
        await _drop(pages.values())
        raise
    if item is None:  # no seller: no `listings` field will ask for them
        await _drop(pages.values())
        return None
    for wanted, page in pages.items():
        ctx.prefetched[(seller_id, wanted)] = page
    return item


def seller_listings_page(
    ctx: Context, seller_id: str, wanted: ListingsPage
) -> asyncio.Future[Page] | None:
    """The page `seller_by_id` started for this selection, if it did."""
    found: asyncio.Future[Page] | None = ctx.prefetched.pop((seller_id, wanted), None)
    return found


async def _drop(pages: Iterable[asyncio.Future[Page]]) -> None:
    for page in pages:
        page.cancel()
        with suppress(BaseException):
            await page
