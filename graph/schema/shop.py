"""GraphQL types of the shop (Query.shop): its order, filter, connection and facets."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from graph.bounds import MAX_FACET_VALUES, MAX_INDEXED_FIELDS
from graph.limits import MAX_ENTRIES
from graph.resolvers import shop as shop_resolvers
from graph.resolvers.context import Context
from graph.schema.pagination import PageInfo
from graph.schema.types import ListingCondition, ListingEdge
from graph.store import ShopPage


@strawberry.enum(description="The order of the shop's listings; each is served by an index.")
class ShopOrder(Enum):
    NEWEST = "NEWEST"
    PRICE_ASC = "PRICE_ASC"
    PRICE_DESC = "PRICE_DESC"


@strawberry.input(description="A price range, bounds included; either side may be left open.")
class PriceRange:
    min: Decimal | None = None
    max: Decimal | None = None


@strawberry.input(
    description="An indexed custom field and the values to keep, as `facets` names them "
    '(`field: "size", in: ["10", "10.5"]`): the same input for every brand.'
)
class FacetFilter:
    field: str
    in_: list[str] = strawberry.field(name="in")


@strawberry.input(
    name="ShopFilter",
    description="Narrow the shop: any of these conditions, a price range, and values of "
    "indexed custom fields by their facet names (`facets`). Custom fields are also "
    "filtered with `where`, typed per brand.",
)
class ShopFilterInput:
    condition: list[ListingCondition] | None = None
    price: PriceRange | None = None
    facets: list[FacetFilter] | None = strawberry.field(
        default=None,
        description="Each indexed field once, with 1 to 50 of its values as `facets` "
        "reports them; a listing must have one of them. A brand-independent `where`, for "
        "clients such as the widget that serve every brand with one document.",
    )


@strawberry.type(description="How many listings of the page's status have one value.")
class FacetValue:
    value: str
    count: int


@strawberry.type(
    description="Counts per value of `condition` or of an indexed custom field, for the "
    "page's status (kept by the stream consumer: as current as the audit trail)."
)
class Facet:
    field: str
    values: list[FacetValue] = strawberry.field(
        description=f"At most {MAX_FACET_VALUES}, the most counted first.",
        metadata={MAX_ENTRIES: MAX_FACET_VALUES},
    )


@strawberry.type(description="A page of the shop.")
class ShopConnection:
    edges: list[ListingEdge]
    page_info: PageInfo
    complete: bool = strawberry.field(
        description="False when the page's filter is not served by an index and the read "
        "budget ran out before the listings were read to the end: `hasNextPage` is then "
        "false, yet more may match; `pageInfo.endCursor` continues the reading."
    )
    index: str = strawberry.field(description="The index that served the page.")
    status: strawberry.Private[str]

    @strawberry.field(
        description="Counts per condition and per indexed field's value.",
        # The condition and each indexed field (graph/tenant_schema/build.py narrows it
        # to the tenant's own).
        metadata={MAX_ENTRIES: 1 + MAX_INDEXED_FIELDS},
    )
    async def facets(self, info: Info[Context, None]) -> list[Facet]:
        found = await shop_resolvers.facets(info.context, self.status)
        return [
            Facet(field=name, values=[FacetValue(value=v, count=n) for v, n in values])
            for name, values in found
        ]


def shop_connection(page: ShopPage, status: str) -> ShopConnection:
    return ShopConnection(
        edges=[ListingEdge.of(page, index) for index in range(len(page.items))],
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        complete=page.complete,
        index=page.index,
        status=status,
    )
