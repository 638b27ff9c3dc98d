"""GraphQL types of the base schema, and their mapping from stored items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Optional

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.domain import MAX_IMAGES
from graph.execution.execution import DIRECT_READ, NOT_READY
from graph.extensions.graphql import CustomValues
from graph.limits import MAX_ENTRIES
from graph.resolvers import history as history_resolvers
from graph.resolvers import listings as listing_resolvers
from graph.resolvers import sellers as seller_resolvers
from graph.resolvers.context import Context
from graph.schema.custom_values import plain_input
from graph.schema.history import AuditEntryConnection, audit_connection
from graph.schema.pagination import DEFAULT_PAGE, After, First, PageInfo
from graph.schema.photos import Image, external_image, photo_image
from graph.store import Item, Page

Where = Annotated[
    JSON | None,
    strawberry.argument(description="Filter on this brand's filterable custom fields."),
]


@strawberry.enum(description="Where a listing is in its life.")
class ListingStatus(Enum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    RESERVED = "RESERVED"
    SOLD = "SOLD"
    WITHDRAWN = "WITHDRAWN"


@strawberry.enum(description="The physical condition of a pre-owned item.")
class ListingCondition(Enum):
    NEW_WITH_TAGS = "NEW_WITH_TAGS"
    LIKE_NEW = "LIKE_NEW"
    GOOD = "GOOD"
    FAIR = "FAIR"


@strawberry.type(description="An amount of money: an exact decimal and an ISO 4217 currency.")
class Money:
    amount: Decimal = strawberry.field(description="Exact decimal amount, as a string.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")


@strawberry.type
class ListingEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as `after` to continue.")
    node: Listing
    page: strawberry.Private[Page]
    index: strawberry.Private[int]

    def __getattr__(self, name: str) -> Any:
        if name == "cursor":
            return self.page.cursors[self.index]  # signed only when selected
        raise AttributeError(name)

    @classmethod
    def of(cls, page: Page, index: int) -> ListingEdge:
        edge = cls.__new__(cls)
        edge.node, edge.page, edge.index = Listing.from_item(page.items[index]), page, index  # type: ignore[assignment]
        return edge


@strawberry.type
class ListingConnection:
    edges: list[ListingEdge]
    page_info: PageInfo


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _read_ahead_seller(listing: Listing, ctx: Context) -> Any:
    """`Listing.seller` without its resolver (graph/execution/execution.py), when the
    page read it ahead and the read succeeded."""
    read = seller_resolvers.prefetched_seller(ctx, listing.seller_id)
    if read is None or read.exception() is not None:
        return NOT_READY
    return Seller.from_item(read.result())


@strawberry.type(description="A pre-owned item offered for resale on a brand's storefront.")
class Listing:
    id: strawberry.ID
    title: str
    description: str
    condition: ListingCondition
    status: ListingStatus
    price: Money
    images: list[Image] = strawberry.field(
        description="External images (foreign data): their URLs as given.",
        metadata={MAX_ENTRIES: MAX_IMAGES},
    )
    product_id: strawberry.ID = strawberry.field(description="The brand's product (catalog) id.")
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Increases by one with every change.")
    seller_id: strawberry.Private[str]
    item: strawberry.Private[Item]

    @strawberry.field(description="This brand's own fields.")
    def custom(self) -> JSON:  # the tenant's type (graph/tenant_schema/build.py)
        return CustomValues(self.item)  # type: ignore[return-value]

    @strawberry.field(
        description="Photos uploaded through stagePhotoUploads, in order, served from "
        "this brand's CDN in several widths.",
        metadata={MAX_ENTRIES: MAX_IMAGES},
    )
    def photos(self, info: Info[Context, None]) -> list[Image]:
        bucket = info.context.store.photos
        public_url = bucket.public_url if bucket is not None else ""
        photos = self.item.get("photos", [])[:MAX_IMAGES]  # writes keep to it; so do reads
        return [photo_image(photo, public_url) for photo in photos]

    @strawberry.field(description="Changes to this listing, newest first (from the audit trail).")
    async def history(
        self, info: Info[Context, None], first: First = DEFAULT_PAGE, after: After = None
    ) -> AuditEntryConnection:
        page = await history_resolvers.listing_history(
            info.context, str(self.id), first=first, after=after
        )
        return audit_connection(page, info.context)

    @strawberry.field(graphql_type=Optional["Seller"], metadata={DIRECT_READ: _read_ahead_seller})
    def seller(self, info: Info[Context, None]) -> Any:
        # Read ahead with the page (Query.productListings): answered now, no await.
        read = seller_resolvers.prefetched_seller(info.context, self.seller_id)
        if read is not None:
            return Seller.from_item(read.result())  # or raises the read's error
        return self._seller(info.context)

    async def _seller(self, ctx: Context) -> Seller | None:
        return Seller.from_item(await seller_resolvers.seller_by_id(ctx, self.seller_id))

    def __getattr__(self, name: str) -> Any:
        # Only for what the instance does not hold: a plain field, converted from the
        # stored item when the query selects it (most selections read a handful).
        read = LISTING_FIELDS.get(name)
        if read is None:
            raise AttributeError(name)
        return read(self.item)

    @classmethod
    def from_item(cls, item: Item | None) -> Listing | None:
        if item is None:
            return None
        listing = cls.__new__(cls)
        listing.item = item
        return listing


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _money(item: Item) -> Money:
    price = item["price"]
    return Money(amount=price["amount"], currency=price["currency"])


def _images(item: Item) -> list[Image]:
    # Writes keep to MAX_IMAGES; a read does too, as the field's cost counts on it.
    return [external_image(image) for image in item.get("images", [])[:MAX_IMAGES]]


#: How a Listing's plain fields (and its seller id) are read from the stored item.
LISTING_FIELDS: dict[str, Callable[[Item], Any]] = {
    "id": lambda item: strawberry.ID(item["listingId"]),
    "title": lambda item: item["title"],
    "description": lambda item: item.get("description", ""),
    "condition": lambda item: ListingCondition(item["condition"]),
    "status": lambda item: ListingStatus(item["status"]),
    "price": _money,
    "images": _images,
    "product_id": lambda item: strawberry.ID(item["productId"]),
    "created_at": lambda item: _dt(item["createdAt"]),
    "updated_at": lambda item: _dt(item["updatedAt"]),
    "version": lambda item: int(item["version"]),
    "seller_id": lambda item: item["sellerId"],
}


def connection(page: Page) -> ListingConnection:
    edges = [ListingEdge.of(page, index) for index in range(len(page.items))]
    return ListingConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor=page.end_cursor,
        ),
    )


@strawberry.type(description="A person or shop that sells pre-owned items.")
class Seller:
    id: strawberry.ID
    display_name: str
    location: str | None
    rating: Decimal | None = strawberry.field(description="Average rating, 0 to 5.")
    joined_at: datetime
    item: strawberry.Private[Item]

    @strawberry.field(description="This brand's own fields.")
    def custom(self) -> JSON:  # the tenant's type (graph/tenant_schema/build.py)
        return CustomValues(self.item)  # type: ignore[return-value]

    @strawberry.field(description="This seller's listings, newest first.")
    async def listings(
        self,
        info: Info[Context, None],
        first: First = DEFAULT_PAGE,
        after: After = None,
        status: ListingStatus | None = None,
        where: Where = None,
    ) -> ListingConnection:
        wanted = seller_resolvers.ListingsPage(first, after, status.value if status else None)
        started = (
            None
            if where is not None
            else seller_resolvers.seller_listings_page(info.context, str(self.id), wanted)
        )
        if started is not None:  # read with the seller, in one wave (Query.seller)
            return connection(await started)
        page = await listing_resolvers.seller_listings(
            info.context,
            str(self.id),
            status=status.value if status else None,
            first=first,
            after=after,
            where=plain_input(where),
        )
        return connection(page)

    @strawberry.field(description="Activity over this seller and all its listings, newest first.")
    async def history(
        self, info: Info[Context, None], first: First = DEFAULT_PAGE, after: After = None
    ) -> AuditEntryConnection:
        page = await history_resolvers.seller_history(
            info.context, str(self.id), first=first, after=after
        )
        return audit_connection(page, info.context)

    def __getattr__(self, name: str) -> Any:
        read = SELLER_FIELDS.get(name)
        if read is None:
            raise AttributeError(name)
        return read(self.item)

    @classmethod
    def from_item(cls, item: Item | None) -> Seller | None:
        if item is None:
            return None
        seller = cls.__new__(cls)
        seller.item = item
        return seller


#: How a Seller's plain fields are read from the stored item.
SELLER_FIELDS: dict[str, Callable[[Item], Any]] = {
    "id": lambda item: strawberry.ID(item["sellerId"]),
    "display_name": lambda item: item["displayName"],
    "location": lambda item: item.get("location"),
    "rating": lambda item: item.get("rating"),
    "joined_at": lambda item: _dt(item["joinedAt"]),
}
