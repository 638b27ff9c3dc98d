"""Listing photos (issue 27): staging uploads, and attaching them to a listing.

Staging records each upload in the tenant's `uploads` table and signs a POST form for
`staging/<uploadId>` of the tenant's own bucket. Attaching claims each new upload once
(a conditional write), reads the staged file (at most its declared size), checks and
resizes it in a worker thread (graph/photos/), and writes content-hashed renditions;
the listing item then stores keys, sizes, alt text and the placeholder, never bytes.
Any problem is a user error, every claim this request made is released, and the
listing is not written.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.domain import MAX_IMAGES, UserError, UserErrorCode, valid_id
from graph.photos import FORMATS, PhotoRejected, Processed, process
from graph.resolvers.context import Context
from graph.store import ConditionFailed, PhotoBucket, StagedUpload, rendition_key

#: How long a staging form is valid.
FORM_SECONDS = 600
#: Largest file a form accepts (the policy's content-length-range is the declared size).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Longest alt text: a sentence or two (screen readers read all of it).
MAX_ALT = 500
TYPES = frozenset(FORMATS.values())


@dataclass(frozen=True)
class StagedForm:
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: int


@dataclass
class Attached:
    """The photos a listing will hold, or the errors; the uploads claimed meanwhile."""

    photos: list[dict[str, Any]] = field(default_factory=list)
    errors: list[UserError] = field(default_factory=list)
    claimed: list[str] = field(default_factory=list)


def _bucket(ctx: Context) -> PhotoBucket:
    photos = ctx.store.photos
    if photos is None:  # pragma: no cover - every TenantGraph store has one
        raise RuntimeError("this store has no photo bucket")
    return photos


def _error(path: tuple[str, ...], message: str, code: UserErrorCode) -> UserError:
    return UserError(path, message, code)


async def stage_uploads(
    ctx: Context, files: Sequence[tuple[str, int]]
) -> tuple[list[StagedForm], list[UserError]]:
    errors: list[UserError] = []
    if len(files) > MAX_IMAGES:
        errors.append(
            _error(("input",), f"At most {MAX_IMAGES} files a call.", UserErrorCode.TOO_LONG)
        )
    for n, (content_type, byte_size) in enumerate(files):
        if content_type not in TYPES:
            errors.append(
                _error(
                    ("input", str(n), "contentType"),
                    f"Use one of {', '.join(sorted(TYPES))}.",
                    UserErrorCode.UNSUPPORTED_IMAGE,
                )
            )
        if not 1 <= byte_size <= MAX_UPLOAD_BYTES:
            errors.append(
                _error(
                    ("input", str(n), "byteSize"),
                    f"Must be between 1 and {MAX_UPLOAD_BYTES} bytes.",
                    UserErrorCode.OUT_OF_RANGE,
                )
            )
    if errors or not files:
        return [], errors
    expires_at = int(time.time()) + FORM_SECONDS
    staged = [
        StagedUpload(f"upl-{secrets.token_hex(12)}", content_type, byte_size, expires_at)
        for content_type, byte_size in files
    ]
    await ctx.store.uploads.stage(staged)
    bucket = _bucket(ctx)
    forms = []
    for upload in staged:
        url, fields = await bucket.presign_post(
            upload.upload_id, upload.content_type, upload.byte_size, FORM_SECONDS
        )
        forms.append(StagedForm(upload.upload_id, url, fields, expires_at))
    return forms, []


def _checked(photos: Sequence[Mapping[str, Any]]) -> list[UserError]:
    errors: list[UserError] = []
    if len(photos) > MAX_IMAGES:
        errors.append(_error(("photos",), f"At most {MAX_IMAGES} photos.", UserErrorCode.TOO_LONG))
    seen: set[str] = set()
    for n, photo in enumerate(photos):
        upload_id, alt = photo["uploadId"], photo.get("alt") or ""
        if len(alt) > MAX_ALT:
            errors.append(
                _error(
                    ("photos", str(n), "alt"),
                    f"At most {MAX_ALT} characters; got {len(alt)}.",
                    UserErrorCode.TOO_LONG,
                )
            )
        if upload_id in seen:
            errors.append(
                _error(
                    ("photos", str(n), "uploadId"),
                    "This upload is listed twice.",
                    UserErrorCode.INVALID,
                )
            )
        seen.add(upload_id)
    return errors


def _claim_error(n: int, upload_id: str, record: Mapping[str, Any] | None, now: int) -> UserError:
    path = ("photos", str(n), "uploadId")
    if record is None or not valid_id(upload_id):
        return _error(
            path,
            f"There is no upload {upload_id!r}; stage one with stagePhotoUploads.",
            UserErrorCode.NOT_FOUND,
        )
    if int(record.get("formExpiresAt", 0)) <= now:
        return _error(
            path,
            "This upload expired (its form is valid 10 minutes); stage it again.",
            UserErrorCode.EXPIRED,
        )
    return _error(path, "This upload is attached to another listing.", UserErrorCode.ALREADY_USED)


async def _one(
    ctx: Context, listing_id: str, n: int, photo: Mapping[str, Any], out: Attached
) -> dict[str, Any] | UserError:
    upload_id, now = str(photo["uploadId"]), int(time.time())
    path = ("photos", str(n), "uploadId")
    if not valid_id(upload_id):
        return _claim_error(n, upload_id, None, now)
    try:
        record = await ctx.store.uploads.claim(upload_id, listing_id, now)
    except ConditionFailed as failed:
        return _claim_error(n, upload_id, failed.item, now)
    if "attachedTo" not in record:
        out.claimed.append(upload_id)
    bucket = _bucket(ctx)
    declared = int(record.get("byteSize", MAX_UPLOAD_BYTES))
    data = await bucket.read_staged(upload_id, declared)
    if data is None:
        return _error(
            path,
            "Nothing was posted for this upload yet: post the file with its form, wait "
            "for the storage's answer, then attach it.",
            UserErrorCode.NOT_UPLOADED,
        )
    try:
        if len(data) > declared:  # the storage enforces the size: this is a last fence
            raise PhotoRejected(f"The file is larger than the {declared} bytes declared.")
        processed = await asyncio.to_thread(process, data)
    except PhotoRejected as rejected:
        return _error(path, rejected.message, UserErrorCode.UNSUPPORTED_IMAGE)
    folder = _folder(listing_id, processed)
    await asyncio.gather(
        *(
            bucket.put_rendition(rendition_key(folder, width), body)
            for width, body in processed.renditions.items()
        )
    )
    return {
        "uploadId": upload_id,
        "key": folder,
        "widths": sorted(processed.renditions),
        "bytes": [len(processed.renditions[w]) for w in sorted(processed.renditions)],
        "width": processed.width,
        "height": processed.height,
        "alt": photo.get("alt") or "",
        "placeholder": processed.placeholder,
        "sha256": processed.sha256,
        "type": FORMATS[processed.format],
    }


def _folder(listing_id: str, processed: Processed) -> str:
    # The content hash, salted with the listing: one listing dropping a photo never
    # deletes renditions another listing (holding the same bytes) still shows.
    return hashlib.sha256(f"{listing_id}\x00{processed.sha256}".encode()).hexdigest()[:40]


async def attach_photos(
    ctx: Context,
    listing_id: str,
    photos: Sequence[Mapping[str, Any]],
    current: Sequence[Mapping[str, Any]] = (),
) -> Attached:
    """The listing's new `photos` attribute: photos it holds already (named by their
    upload id) are kept with the new alt text; new uploads are claimed and processed."""
    out = Attached(errors=_checked(photos))
    if out.errors:
        return out
    held = {str(p["uploadId"]): p for p in current}
    results = await asyncio.gather(
        *(
            _kept(held[str(photo["uploadId"])], photo)
            if str(photo["uploadId"]) in held
            else _one(ctx, listing_id, n, photo, out)
            for n, photo in enumerate(photos)
        ),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, UserError):
            out.errors.append(result)
        elif isinstance(result, BaseException):
            await release(ctx, listing_id, out)
            raise result
        else:
            out.photos.append(result)
    if out.errors:
        await release(ctx, listing_id, out)
    return out


async def _kept(stored: Mapping[str, Any], photo: Mapping[str, Any]) -> dict[str, Any]:
    return {**stored, "alt": photo.get("alt") or ""}


async def release(ctx: Context, listing_id: str, attached: Attached) -> None:
    """Undo this request's claims (the listing write did not happen)."""
    await asyncio.gather(*(ctx.store.uploads.release(u, listing_id) for u in attached.claimed))
    attached.claimed.clear()


async def consumed(ctx: Context, attached: Attached) -> None:
    """The listing holds its renditions now: the staged originals may go (best effort;
    the bucket's lifecycle rule removes what is left)."""
    if attached.claimed:
        await _bucket(ctx).delete(f"staging/{u}" for u in attached.claimed)
