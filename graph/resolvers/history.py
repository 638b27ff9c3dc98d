"""History resolvers: an entity's entries, a seller's activity, an actor's trail, and
a listing as it was at an instant."""

from __future__ import annotations

from datetime import UTC, datetime

from graph.errors import BadUserInput, Forbidden
from graph.resolvers.context import Context
from graph.store import Item, Page


def _instant(value: datetime, argument: str) -> str:
    if value.tzinfo is None:
        raise BadUserInput(
            f"`{argument}` needs a time zone, e.g. 2026-11-27T10:00:00Z.", argument=argument
        )
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


async def listing_history(ctx: Context, listing_id: str, *, first: int, after: str | None) -> Page:
    return await ctx.store.history.of(f"listing#{listing_id}", first=first, after=after)


async def seller_history(ctx: Context, seller_id: str, *, first: int, after: str | None) -> Page:
    return await ctx.store.history.by_seller(seller_id, first=first, after=after)


async def audit_trail(
    ctx: Context,
    actor: str,
    *,
    start: datetime | None,
    end: datetime | None,
    first: int,
    after: str | None,
) -> Page:
    if not ctx.principal.can("admin"):
        raise Forbidden("The audit trail needs a key with the admin scope.", requiredScope="admin")
    low = _instant(start, "from") if start else None
    high = _instant(end, "to") if end else None
    if low is not None and high is not None and low > high:
        raise BadUserInput("`from` must not be after `to`.", argument="from")
    return await ctx.store.history.by_actor(actor, start=low, end=high, first=first, after=after)


async def listing_as_of(ctx: Context, listing_id: str, as_of: datetime) -> Item | None:
    """The listing as it was at `as_of`, rebuilt from its history (null before it
    existed or after it was removed)."""
    entry = await ctx.store.history.as_of(f"listing#{listing_id}", _instant(as_of, "asOf"))
    if entry is None or entry.get("event") == "REMOVED":
        return None
    image: Item | None = entry.get("image")
    return image
