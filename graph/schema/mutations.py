"""The root Mutation type: writes need a key with the `write` scope."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.domain import UserError
from graph.errors import Forbidden
from graph.limits import WRITE_CALLS, WriteCalls
from graph.resolvers import listings, photo_uploads, sellers
from graph.resolvers.context import Context
from graph.resolvers.writes import WriteResult
from graph.schema.custom_values import stored_names
from graph.schema.photos import PhotoInput, StagePhotoUploadInput, StagePhotoUploadsPayload, staged
from graph.schema.types import Listing, ListingCondition, ListingStatus, Seller
from graph.schema.user_errors import first_errors, user_errors_field


class CanWrite(BasePermission):
    message = "This API key can only read; writes need a key with the write scope."

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        if not info.context.principal.can("write"):
            raise Forbidden(self.message, requiredScope="write")
        return True


@strawberry.input
class MoneyInput:
    amount: Decimal
    currency: str


@strawberry.input
class ImageInput:
    url: str
    alt: str | None = None
    width: int | None = None
    height: int | None = None


@strawberry.input
class CreateListingInput:
    seller_id: strawberry.ID
    product_id: strawberry.ID
    title: str
    description: str = ""
    condition: ListingCondition
    price: MoneyInput
    images: list[ImageInput] = strawberry.field(default_factory=list)
    photos: list[PhotoInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Staged uploads to attach (at most 12)."
    )
    status: ListingStatus = ListingStatus.ACTIVE
    custom: JSON | None = strawberry.UNSET  # the tenant's type (graph/tenant_schema/build.py)


@strawberry.input(description="Only the fields given are changed.")
class UpdateListingInput:
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    condition: ListingCondition | None = strawberry.UNSET
    price: MoneyInput | None = strawberry.UNSET
    images: list[ImageInput] | None = strawberry.UNSET
    photos: list[PhotoInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The listing's photos, replacing the list: new uploads by id, and "
        "photos it holds by their upload id (kept; their alt text updated).",
    )
    product_id: strawberry.ID | None = strawberry.UNSET
    custom: JSON | None = strawberry.UNSET  # the tenant's type (graph/tenant_schema/build.py)


@strawberry.input
class UpsertSellerInput:
    id: strawberry.ID
    display_name: str
    location: str | None = None
    custom: JSON | None = strawberry.UNSET  # the tenant's type (graph/tenant_schema/build.py)


@strawberry.type
class ListingPayload:
    listing: Listing | None
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class SellerPayload:
    seller: Seller | None
    user_errors: list[UserError] = user_errors_field()


def _calls(declared: tuple[int, int]) -> dict[str, WriteCalls]:
    return {WRITE_CALLS: WriteCalls(*declared)}


def listing_payload(result: WriteResult) -> ListingPayload:
    return ListingPayload(
        listing=Listing.from_item(result.item), user_errors=first_errors(result.errors)
    )


_CAMEL_TO_ITEM = {"seller_id": "sellerId", "product_id": "productId", "upload_id": "uploadId"}


def as_item_fields(value: Any, context: Context | None = None) -> dict[str, Any]:
    """Input object -> stored attribute names, dropping UNSET (not given) fields; the
    `custom` value keyed by the listing's declared (stored) field names."""
    out: dict[str, Any] = {}
    for name, field_value in vars(value).items():
        if field_value is strawberry.UNSET:
            continue
        if name == "custom" and context is not None:
            field_value = stored_names(context.extension.spec.listing.fields, field_value)
        out[_CAMEL_TO_ITEM.get(name, name)] = _plain(field_value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__strawberry_definition__"):
        return {
            _CAMEL_TO_ITEM.get(k, k): _plain(v) for k, v in vars(value).items() if v is not None
        }
    return value


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        metadata=_calls(listings.CREATE_CALLS),
        description="Create a listing. Send an `Idempotency-Key` header to make retries safe.",
    )
    async def create_listing(
        self, info: Info[Context, None], input: CreateListingInput
    ) -> ListingPayload:
        return listing_payload(
            await listings.create_listing(info.context, as_item_fields(input, info.context))
        )

    @strawberry.mutation(
        permission_classes=[CanWrite],
        metadata=_calls(listings.UPDATE_CALLS),
        description="Change some fields of a listing, if it is still at `expectedVersion`.",
    )
    async def update_listing(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        expected_version: int,
        input: UpdateListingInput,
    ) -> ListingPayload:
        # null for a plain field means "leave it"; for a custom field, "remove it".
        changes = {
            k: v
            for k, v in as_item_fields(input, info.context).items()
            if v is not None or k == "custom"
        }
        result = await listings.update_listing(info.context, id, expected_version, changes)
        return listing_payload(result)

    @strawberry.mutation(
        permission_classes=[CanWrite],
        metadata=_calls(photo_uploads.STAGE_CALLS),
        description="Sign upload forms for up to 12 photos (each valid 10 minutes): post "
        "each file straight to storage, then attach it by `uploadId` with createListing "
        "or updateListing `photos`.",
    )
    async def stage_photo_uploads(
        self, info: Info[Context, None], input: list[StagePhotoUploadInput]
    ) -> StagePhotoUploadsPayload:
        forms, errors = await photo_uploads.stage_uploads(
            info.context, [(f.content_type, f.byte_size) for f in input]
        )
        return StagePhotoUploadsPayload(
            uploads=[staged(f.upload_id, f.url, f.fields, f.expires_at) for f in forms],
            user_errors=first_errors(errors),
        )

    @strawberry.mutation(
        permission_classes=[CanWrite],
        metadata=_calls(listings.STATUS_CALLS),
        description="Move a listing to another status (ACTIVE → RESERVED → SOLD, ...).",
    )
    async def set_listing_status(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        status: ListingStatus,
        expected_version: int | None = None,
    ) -> ListingPayload:
        result = await listings.set_listing_status(info.context, id, status.value, expected_version)
        return listing_payload(result)

    @strawberry.mutation(
        permission_classes=[CanWrite],
        metadata=_calls(sellers.UPSERT_CALLS),
        description="Create or update a seller. `expectedVersion: 0` means create only.",
    )
    async def upsert_seller(
        self,
        info: Info[Context, None],
        input: UpsertSellerInput,
        expected_version: int | None = None,
    ) -> SellerPayload:
        fields: dict[str, Any] = {"displayName": input.display_name}
        if input.location is not None:
            fields["location"] = input.location
        if input.custom is not strawberry.UNSET and input.custom is not None:
            fields["custom"] = stored_names(info.context.extension.spec.seller.fields, input.custom)
        result = await sellers.upsert_seller(info.context, input.id, fields, expected_version)
        return SellerPayload(
            seller=Seller.from_item(result.item), user_errors=first_errors(result.errors)
        )
