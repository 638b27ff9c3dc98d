"""Seller resolvers."""

from __future__ import annotations

from graph.context import Context
from graph.store import Item


async def seller_by_id(ctx: Context, seller_id: str) -> Item | None:
    return await ctx.loaders.sellers.load(seller_id)
