"""GraphQL types of listing photos (issue 27): staging forms, photo inputs, and `Image`.

`Image` serves both kinds of picture a listing shows: photos uploaded through this
gateway (renditions in the tenant's bucket, behind its CDN: `srcset`, `url(width:)`,
`placeholder`) and external images of foreign data (`url` as given, no renditions).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graph.domain import UserError
from graph.schema.user_errors import user_errors_field


@strawberry.input(description="A file to upload: its media type and exact size in bytes.")
class StagePhotoUploadInput:
    content_type: str = strawberry.field(
        description="image/jpeg, image/png, image/webp or image/avif."
    )
    byte_size: int = strawberry.field(description="The file's exact size; 1 byte to 20 MiB.")


@strawberry.type(
    description="A signed form: POST `fields` and then the file (as the last field, "
    "`file`) as multipart/form-data to `url` before `expiresAt`; then attach `uploadId`."
)
class StagedUpload:
    upload_id: strawberry.ID
    url: str
    fields: JSON = strawberry.field(description="Form fields to send, in this order.")
    expires_at: datetime


@strawberry.type
class StagePhotoUploadsPayload:
    uploads: list[StagedUpload]
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="A photo to show: a staged upload (posted), with alt text.")
class PhotoInput:
    upload_id: strawberry.ID
    alt: str | None = strawberry.field(
        default=None, description="What the photo shows, for screen readers; ≤ 500 chars."
    )


def staged(upload_id: str, url: str, fields: dict[str, str], expires_at: int) -> StagedUpload:
    return StagedUpload(
        upload_id=strawberry.ID(upload_id),
        url=url,
        fields=fields,  # type: ignore[arg-type]
        expires_at=datetime.fromtimestamp(expires_at, UTC),
    )


@strawberry.type(
    description="A picture of a listing. Uploaded photos have renditions (`srcset`, "
    "`url(width:)`) and a `placeholder`; external images only their `url`."
)
class Image:
    alt: str | None
    width: int | None
    height: int | None
    placeholder: str | None = strawberry.field(
        description="A BlurHash of the photo, to paint while it loads (null: external)."
    )
    srcset: str | None = strawberry.field(
        description="`<url> 160w, <url> 320w, ...` for an img's srcset (null: external)."
    )
    base: strawberry.Private[str]
    widths: strawberry.Private[tuple[int, ...]]

    @strawberry.field(
        description="The smallest rendition at least `width` px wide (the largest if "
        "none is); without `width`, the largest. External images: their URL."
    )
    def url(self, width: int | None = None) -> str:
        if not self.widths:
            return self.base
        wanted = [w for w in self.widths if width is None or w >= width]
        chosen = min(wanted) if width is not None and wanted else max(self.widths)
        return f"{self.base}/{chosen}.webp"


def external_image(image: Mapping[str, Any]) -> Image:
    return Image(
        alt=image.get("alt"),
        width=_int(image.get("width")),
        height=_int(image.get("height")),
        placeholder=None,
        srcset=None,
        base=image["url"],
        widths=(),
    )


def photo_image(photo: Mapping[str, Any], public_url: str) -> Image:
    base = f"{public_url}/renditions/{photo['key']}"
    widths = tuple(int(w) for w in photo.get("widths", ()))
    return Image(
        alt=photo.get("alt") or None,
        width=_int(photo.get("width")),
        height=_int(photo.get("height")),
        placeholder=photo.get("placeholder"),
        srcset=", ".join(f"{base}/{w}.webp {w}w" for w in widths),
        base=base,
        widths=widths,
    )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
