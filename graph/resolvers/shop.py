"""The shop: a brand's listings of one status, ordered and filtered, and facet counts.

Arguments are checked here, before any I/O; the store's planner picks the index
(graph/store/planner.py) and reports it in `extensions.cost.plans`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from strawberry.utils.str_converters import to_camel_case

from graph.bounds import CONDITION_FACET as CONDITION
from graph.bounds import MAX_FACET_VALUES
from graph.conditions import Condition
from graph.errors import BadUserInput
from graph.extensions.filters import conditions, facet_where
from graph.numbers import representable
from graph.resolvers.context import Context
from graph.store import ORDERS, Order, ShopFilter, ShopPage

#: The conditions a listing can have (graph/domain.py); a filter names each at most once.
CONDITIONS = ("NEW_WITH_TAGS", "LIKE_NEW", "GOOD", "FAIR")


def _price(value: Any, side: str) -> Decimal | None:
    if value is None:
        return None
    amount = Decimal(value)
    if not amount.is_finite() or not representable(amount) or amount < 0:
        raise BadUserInput(
            f"`filter.price.{side}` must be an amount of at least 0; got {value}.",
            argument="filter",
            field=f"price.{side}",
        )
    return amount


def shop_filter(
    ctx: Context,
    *,
    condition: Sequence[str] | None,
    price_min: Any,
    price_max: Any,
    where: Mapping[str, Any] | None,
    facets: Sequence[tuple[str, Sequence[str]]] = (),
) -> ShopFilter:
    """The page's filter in stored terms; BadUserInput naming the argument otherwise."""
    wanted = list(condition or [])
    if len(wanted) > len(CONDITIONS) or any(c not in CONDITIONS for c in wanted):
        raise BadUserInput(
            f"`filter.condition` takes up to {len(CONDITIONS)} of "
            f"{', '.join(CONDITIONS)}, each once; got {len(wanted)} values.",
            argument="filter",
            field="condition",
        )
    low, high = _price(price_min, "min"), _price(price_max, "max")
    if low is not None and high is not None and low > high:
        raise BadUserInput(
            f"`filter.price` is upside down: min ({low}) is greater than max ({high}); swap them.",
            argument="filter",
            field="price",
        )
    indexed = {name for name, _ in ctx.extension.indexed}
    custom: list[tuple[str, tuple[Any, ...]]] = []
    rest: list[Condition] = []
    private = ctx.principal.can("write")
    by_facet = facet_where(ctx.extension, facets, private=private)
    both = sorted(set(by_facet) & set(where or {}))
    if both:
        raise BadUserInput(
            f"`{to_camel_case(both[0])}` is filtered both in `where` and in "
            "`filter.facets`; use one of them.",
            argument="filter",
            field="facets",
        )
    for found in conditions(ctx.extension, {**(where or {}), **by_facet}, private=private):
        name = found.path[1] if len(found.path) == 2 else None
        if name in indexed and found.operator in ("=", "IN") and name not in dict(custom):
            values = found.value if found.operator == "IN" else [found.value]
            custom.append((str(name), tuple(values)))
        else:
            rest.append(found)
    return ShopFilter(
        conditions=tuple(sorted(set(wanted))),
        price_min=low,
        price_max=high,
        custom=tuple(custom),
        where=tuple(rest),
    )


async def shop(
    ctx: Context,
    *,
    status: str,
    order: str,
    wanted: ShopFilter,
    first: int,
    after: str | None,
) -> ShopPage:
    if order not in ORDERS:  # the schema's enum already refuses it; a second fence
        raise BadUserInput(
            f"`orderBy` must be one of {', '.join(ORDERS)}; got {order!r}.", argument="orderBy"
        )
    chosen: Order = order
    page = await ctx.store.shop(
        status=status,
        order=chosen,
        wanted=wanted,
        first=first,
        after=after,
        attributes=ctx.reads.listings,
    )
    for item in page.items:
        ctx.loaders.listings.prime(item["listingId"], item)
    return page


async def facets(ctx: Context, status: str) -> list[tuple[str, list[tuple[str, int]]]]:
    """(GraphQL field name, [(value, count)]) for the condition and each indexed field
    the caller may see, counts for `status` as the stream consumer last kept them."""
    counts = await ctx.store.facets.counts(status)
    visible = ctx.extension.fields("listing", private=ctx.principal.can("write"))
    names = [CONDITION] + [name for name, _ in ctx.extension.indexed if name in visible]
    out = []
    for name in names:
        values = sorted(counts.get(name, {}).items(), key=lambda pair: (-pair[1], pair[0]))
        out.append((name if name == CONDITION else to_camel_case(name), values[:MAX_FACET_VALUES]))
    return out
