"""Kicks & Co. business logic: a computed field and a write hook."""

from decimal import Decimal
from typing import Any

from graph.extensions.api import ExtensionContext, HookError, computed, write_hook


# Reads the private purchase price, so it is private too: price / markup would give a
# storefront the purchase price (graph/extensions/computed.py).
@computed(
    "listing",
    type="Decimal",
    reads=("purchase_price",),
    description="Asking price over what the seller paid.",
)
def markup(listing: dict[str, Any], ctx: ExtensionContext) -> Decimal | None:
    paid = listing.get("custom", {}).get("purchase_price")
    if not paid:
        return None
    return (Decimal(listing["price"]["amount"]) / Decimal(paid)).quantize(Decimal("0.01"))


@computed(
    "listing",
    type="Boolean",
    reads=("seller.verified_reseller",),
    description="The seller passed reseller verification.",
)
async def sold_by_verified_reseller(listing: dict[str, Any], ctx: ExtensionContext) -> bool:
    seller = await ctx.load_seller(listing["sellerId"])  # batched with the page's sellers
    return bool(seller and seller.get("custom", {}).get("verified_reseller"))


@write_hook("listing")
def no_replicas(data: dict[str, Any], ctx: ExtensionContext, *, creating: bool) -> dict[str, Any]:
    title = str(data.get("title") or "")
    if "replica" in title.lower() or "fake" in title.lower():
        raise HookError("Kicks & Co. does not accept replicas.", field=["title"])
    return data
