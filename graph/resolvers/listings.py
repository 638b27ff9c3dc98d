"""Listing resolvers: read arguments, call a loader or the store, return items.

Types map items to GraphQL objects (graph/schema); resolvers never touch DynamoDB
directly and never see a table name.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from graph import domain
from graph.bounds import MAX_ITEMS
from graph.domain import UserError, UserErrorCode
from graph.errors import BadUserInput, Conflict
from graph.extensions.filters import conditions
from graph.resolvers import photos as photo_resolvers
from graph.resolvers.context import Context
from graph.resolvers.writes import WriteResult, prepare, stamp
from graph.store import STAMP_RETRIES, ConditionFailed, Item, Page

#: The most DynamoDB calls each write below makes itself, as (base, per photo) for the
#: cost estimate (graph/limits/declared.py WriteCalls; tests/limits/test_cost_bounds.py
#: draws every mutation). Per photo: its claim, and its release when the write does not
#: happen. A write hook that loads items adds its own reads, which are not counted.
#: create: the seller's check, an idempotent retry's read, PutItem, the discard's read.
CREATE_CALLS = (4, 2)
#: update: the read before attaching photos, the read for moved shop keys, an update per
#: newer concurrent stamp (STAMP_RETRIES), the discard's read.
UPDATE_CALLS = (3 + STAMP_RETRIES, 2)
#: status: the read, an update per newer concurrent stamp.
STATUS_CALLS = (1 + STAMP_RETRIES, 0)


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


def _fresh(ctx: Context, item: Item) -> Item:
    ctx.loaders.listings.clear(item["listingId"])
    ctx.loaders.listings.prime(item["listingId"], item)
    return item


def _not_found(listing_id: str) -> WriteResult:
    return WriteResult(
        errors=[UserError(("id",), f"There is no listing {listing_id!r}.", UserErrorCode.NOT_FOUND)]
    )


def _conflict(current: Item) -> Conflict:
    version = int(current["version"])
    return Conflict(
        f"The listing changed since version you read; it is now at version {version}. "
        "Read it again and retry with that expectedVersion.",
        currentVersion=version,
    )


async def _with_photos(
    ctx: Context,
    listing_id: str,
    photos: list[dict[str, Any]] | None,
    current: list[dict[str, Any]],
) -> photo_resolvers.Attached | None:
    if photos is None:
        return None
    ctx.store.allow_photo_time()
    return await photo_resolvers.attach_photos(ctx, listing_id, photos, current)


async def create_listing(ctx: Context, data: Mapping[str, Any]) -> WriteResult:
    fingerprint_source = data
    data = dict(data)
    photos = data.pop("photos", None)
    data, custom_errors = await prepare(ctx, "listing", data, creating=True)
    errors = domain.validate_listing(data, creating=True) + custom_errors
    if errors:
        return WriteResult(errors=errors)
    if await ctx.loaders.sellers.load(data["sellerId"]) is None:
        return WriteResult(
            errors=[
                UserError(
                    ("sellerId",),
                    f"There is no seller {data['sellerId']!r}; create it with upsertSeller.",
                    UserErrorCode.NOT_FOUND,
                )
            ]
        )
    item: dict[str, Any] = {**data, "status": data.get("status") or "ACTIVE"}
    key = ctx.idempotency_key
    fingerprint = None
    if key is not None:
        problem = domain.idempotency_problem(key)
        if problem:
            raise BadUserInput(problem, header="Idempotency-Key")
        fingerprint = domain.request_fingerprint(fingerprint_source)
        item["listingId"] = domain.idempotent_listing_id(
            ctx.principal.tenant.id, ctx.principal.key_id, key
        )
        item["createFingerprint"] = fingerprint
        if photos is not None:
            # A retry of a create that attached photos: its uploads are consumed, so
            # answer from the listing before attaching anything again.
            existing = await ctx.store.listings.get_consistent(item["listingId"])
            if existing is not None and existing.get("createFingerprint") == fingerprint:
                return WriteResult(item=_fresh(ctx, existing))
    else:
        item["listingId"] = f"lst-{secrets.token_hex(10)}"
    attached = await _with_photos(ctx, item["listingId"], photos, [])
    if attached is not None:
        if attached.errors:
            return WriteResult(errors=attached.errors)
        item["photos"] = attached.photos
    try:
        created = await ctx.store.listings.create(item, stamp(ctx))
    except BaseException as failed:
        if attached is not None:
            await photo_resolvers.discard(ctx, item["listingId"], attached, failed)
        if not isinstance(failed, ConditionFailed):
            raise
        taken = failed
        existing = taken.item
        if (
            fingerprint is not None
            and existing
            and existing.get("createFingerprint") == fingerprint
        ):
            return WriteResult(item=_fresh(ctx, existing))  # a retry: nothing written
        raise BadUserInput(
            "This Idempotency-Key was already used with a different request body; "
            "use a new key for a new listing.",
            header="Idempotency-Key",
        ) from taken
    if attached is not None:
        await photo_resolvers.consumed(ctx, attached)
    return WriteResult(item=_fresh(ctx, created))


async def update_listing(
    ctx: Context, listing_id: str, expected_version: int, changes: Mapping[str, Any]
) -> WriteResult:
    if not domain.valid_id(listing_id):
        return _not_found(listing_id)
    if not changes:
        return WriteResult(
            errors=[
                UserError(("input",), "Give at least one field to change.", UserErrorCode.REQUIRED)
            ]
        )
    changes = dict(changes)
    photos = changes.pop("photos", None)
    changes, custom_errors = await prepare(ctx, "listing", changes, creating=False)
    errors = domain.validate_listing(changes, creating=False) + custom_errors
    if errors:
        return WriteResult(errors=errors)
    attached = None
    if photos is not None:
        current = await ctx.store.listings.get_consistent(listing_id)
        if current is None:
            return _not_found(listing_id)
        if int(current["version"]) != expected_version:
            raise _conflict(current)
        attached = await _with_photos(ctx, listing_id, photos, current.get("photos", []))
        if attached is not None and attached.errors:
            return WriteResult(errors=attached.errors)
        changes["photos"] = attached.photos if attached is not None else []
    try:
        updated = await ctx.store.listings.update(
            listing_id, changes, stamp(ctx), expected_version=expected_version
        )
    except BaseException as failed:
        if attached is not None:
            await photo_resolvers.discard(ctx, listing_id, attached, failed)
        if not isinstance(failed, ConditionFailed):
            raise
        if failed.item is None:
            return _not_found(listing_id)
        raise _conflict(failed.item) from failed
    if attached is not None:
        await photo_resolvers.consumed(ctx, attached)
    return WriteResult(item=_fresh(ctx, updated))


async def set_listing_status(
    ctx: Context, listing_id: str, status: str, expected_version: int | None
) -> WriteResult:
    current = await ctx.store.listings.get_consistent(listing_id)
    if current is None:
        return _not_found(listing_id)
    if expected_version is not None and int(current["version"]) != expected_version:
        raise _conflict(current)
    if not domain.allowed(current["status"], status):
        raise BadUserInput(
            domain.transition_message(current["status"], status),
            currentStatus=current["status"],
        )
    try:
        updated = await ctx.store.listings.update(
            listing_id,
            {"status": status},
            stamp(ctx),
            expected_version=int(current["version"]),
            expected_status=current["status"],
            current=current,
        )
    except ConditionFailed as failed:
        if failed.item is None:
            return _not_found(listing_id)
        raise _conflict(failed.item) from failed
    return WriteResult(item=_fresh(ctx, updated))
