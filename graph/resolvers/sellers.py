"""Seller resolvers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from graph import domain
from graph.domain import UserError, UserErrorCode
from graph.errors import Conflict
from graph.resolvers import listings as listing_resolvers
from graph.resolvers.context import Context
from graph.resolvers.writes import WriteResult, prepare, stamp
from graph.store import STAMP_RETRIES, ConditionFailed, Item, Page

#: The most DynamoDB calls upsert_seller makes (graph/resolvers/listings.py says how
#: they are counted): a conditional update per newer concurrent stamp, one more when the
#: seller has no custom map yet.
UPSERT_CALLS = (1 + STAMP_RETRIES, 0)


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
        await _settle(pages.values())
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


#: The key of a seller read ahead for a page's `node { seller }` is (SELLER_OF_PAGE, its
#: id): a plain tuple, which no `(seller_id, ListingsPage)` key can equal. It is made twice
#: per listing of a page; a frozen dataclass key took ~2 us each (its generated
#: `__init__`, `__hash__` and `__eq__`), a tuple a tenth of that.
SELLER_OF_PAGE: Any = object()


async def prefetch_sellers(ctx: Context, page: Page) -> None:
    """Read the sellers of a page's listings now, in one batch (the wave their
    `seller` fields would have made), so each `seller` field answers at once instead
    of awaiting the loader one node at a time. A failed read is kept, not raised: each
    node's `seller` then reports it, as its own load would have."""
    # one load per node, as the fields would have made: the loader, not this, batches
    # and de-duplicates them
    reads = [
        (item["sellerId"], asyncio.ensure_future(ctx.loaders.sellers.load(item["sellerId"])))
        for item in page.items
        if "sellerId" in item
    ]
    for seller_id, read in reads:  # kept first: a cancelled request drops them
        ctx.prefetched[(SELLER_OF_PAGE, seller_id)] = read
    # The loader settles a batch's reads together: waiting on each read not yet done
    # wakes this task once per batch, where `asyncio.wait` over all of them ran a
    # completion callback per read.
    for _, read in reads:
        if not read.done():
            await asyncio.wait([read])
    for _, read in reads:
        if not read.cancelled():
            read.exception()  # retrieved here; the node's field raises it again


def prefetched_seller(ctx: Context, seller_id: str) -> asyncio.Future[Item | None] | None:
    """The settled read `prefetch_sellers` made for this seller, if it made one."""
    found: asyncio.Future[Item | None] | None = ctx.prefetched.get((SELLER_OF_PAGE, seller_id))
    return None if found is None or found.cancelled() else found


async def _settle(pages: Iterable[asyncio.Future[Page]]) -> None:
    """Let page reads already on their way finish and drop their answers. Cancelling one
    in flight made the request's reported calls and capacity depend on which read of
    the wave came back first (and aborted its connection)."""
    waiting = list(pages)
    try:
        for page in waiting:
            with suppress(Exception):
                await page
    except BaseException:  # the request itself is cancelled
        await _drop(waiting)
        raise


async def _drop(pages: Iterable[asyncio.Future[Page]]) -> None:
    for page in pages:
        page.cancel()
        with suppress(BaseException):
            await page


async def upsert_seller(
    ctx: Context, seller_id: str, fields: Mapping[str, Any], expected_version: int | None
) -> WriteResult:
    errors: list[UserError] = []
    if not domain.valid_id(seller_id):
        errors.append(
            UserError(("id",), "Use 1 to 64 letters, digits, '-' or '_'.", UserErrorCode.INVALID)
        )
    fields, custom_errors = await prepare(ctx, "seller", fields, creating=False)
    errors.extend(custom_errors)
    name = fields.get("displayName")
    problem = domain.text_problem(name) if isinstance(name, str) else None
    if problem is not None:
        errors.append(UserError(("displayName",), problem, UserErrorCode.INVALID))
    elif name is not None and not 1 <= len(name.strip()) <= 80:
        errors.append(UserError(("displayName",), "Use 1 to 80 characters.", UserErrorCode.INVALID))
    location = fields.get("location")
    problem = domain.text_problem(location) if isinstance(location, str) else None
    if problem is not None:
        errors.append(UserError(("location",), problem, UserErrorCode.INVALID))
    if errors:
        return WriteResult(errors=errors)
    try:
        item = await ctx.store.sellers.upsert(
            seller_id, fields, stamp(ctx), expected_version=expected_version
        )
    except ConditionFailed as failed:
        if failed.item is None:
            return WriteResult(
                errors=[
                    UserError(
                        ("id",), f"There is no seller {seller_id!r}.", UserErrorCode.NOT_FOUND
                    )
                ]
            )
        version = int(failed.item.get("version", 0))
        raise Conflict(
            f"The seller is at version {version}, not {expected_version}; read it and retry.",
            currentVersion=version,
        ) from failed
    ctx.loaders.sellers.clear(seller_id)
    ctx.loaders.sellers.prime(seller_id, item)
    return WriteResult(item=item)
