"""Attaching listing photos (issue 27); staging them is graph/resolvers/photo_uploads.py.

Attaching claims each new upload once (a conditional write marked with this request's
token), reads the staged file (at most its declared size), checks and resizes it in a
worker thread (graph/photos/), and writes content-hashed renditions; the listing item
then stores keys, sizes, alt text and the placeholder, never bytes. When the listing is
not written after all (a refusal, a lost condition, a failed call), `discard` undoes
the request: its claims are released and the renditions it wrote are deleted, except
what another write of the same listing may hold (see `discard`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.domain import MAX_IMAGES, UserError, UserErrorCode, valid_id
from graph.errors import GatewayError
from graph.photos import FORMATS, PhotoRejected, Processed, process
from graph.resolvers.context import Context
from graph.resolvers.photo_uploads import MAX_UPLOAD_BYTES, bucket_of
from graph.store import ConditionFailed, rendition_key

log = logging.getLogger(__name__)

#: Longest alt text: a sentence or two (screen readers read all of it).
MAX_ALT = 500


@dataclass
class Attached:
    """The photos a listing will hold, or the errors; what the request did meanwhile."""

    photos: list[dict[str, Any]] = field(default_factory=list)
    errors: list[UserError] = field(default_factory=list)
    #: Uploads this request claimed while free: released if the listing is not written.
    claimed: list[str] = field(default_factory=list)
    #: Rendition folders this request wrote (or began to), by upload, with their keys.
    written: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: Marks this request's claims: a release undoes a claim only while it is ours.
    token: str = field(default_factory=lambda: secrets.token_hex(8))


def _error(path: tuple[str, ...], message: str, code: UserErrorCode) -> UserError:
    return UserError(path, message, code)


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
        record = await ctx.store.uploads.claim(upload_id, listing_id, now, out.token)
    except ConditionFailed as failed:
        return _claim_error(n, upload_id, failed.item, now)
    if "attachedTo" not in record:
        out.claimed.append(upload_id)
    bucket = bucket_of(ctx)
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
    keys = {width: rendition_key(folder, width) for width in processed.renditions}
    out.written[upload_id] = (folder, list(keys.values()))  # before any put may land
    await asyncio.gather(
        *(bucket.put_rendition(keys[width], body) for width, body in processed.renditions.items())
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
            await discard(ctx, listing_id, out)
            raise result
        else:
            out.photos.append(result)
    if out.errors:
        await discard(ctx, listing_id, out)
    return out


async def _kept(stored: Mapping[str, Any], photo: Mapping[str, Any]) -> dict[str, Any]:
    return {**stored, "alt": photo.get("alt") or ""}


async def discard(
    ctx: Context, listing_id: str, attached: Attached, failure: BaseException | None = None
) -> None:
    """Undo this request: the listing write did not happen (`failure`: why, if it was
    tried). The listing as it is now comes with a lost condition; else it is read here.

    Rendition folders are salted with the listing id, so no other listing can hold this
    request's renditions; only another write of this listing can: one whose answer was
    lost but which landed (the listing as it now is shows it), or a twin request that
    attaches the same upload (it found, or took over, this request's claim). So a claim
    is released only if the listing does not hold the upload and the claim is still
    this request's (the token), and a folder is deleted only if its upload was released
    so and the listing does not show it. What cannot be known (the listing unreadable,
    a release or delete failing) is left, never deleted: see docs/architecture.md."""
    if not attached.claimed and not attached.written:
        return
    if isinstance(failure, ConditionFailed):
        now = failure.item
    else:
        try:
            now = await ctx.store.listings.get_consistent(listing_id)
        except GatewayError as exc:
            log.warning("listing %s unreadable; renditions kept: %s", listing_id, exc)
            attached.written.clear()
            now = None
    photos = now.get("photos", []) if now is not None else []
    held = {str(p["uploadId"]) for p in photos}
    shown = {str(p["key"]) for p in photos}
    claimed = [u for u in attached.claimed if u not in held]
    attached.claimed.clear()
    released = await asyncio.gather(*(_release(ctx, u, listing_id, attached) for u in claimed))
    doomed = [
        key
        for upload, ok in zip(claimed, released, strict=True)
        if ok and upload in attached.written and attached.written[upload][0] not in shown
        for key in attached.written[upload][1]
    ]
    left = sum(len(keys) for _, keys in attached.written.values()) - len(doomed)
    attached.written.clear()
    if left:
        log.info("listing %s not written; %d rendition keys kept (may be held)", listing_id, left)
    if doomed:
        try:
            await bucket_of(ctx).delete(doomed)
        except GatewayError as exc:
            log.warning("listing %s not written; renditions left: %s %s", listing_id, doomed, exc)


async def _release(ctx: Context, upload_id: str, listing_id: str, attached: Attached) -> bool:
    try:
        return await ctx.store.uploads.release(upload_id, listing_id, attached.token)
    except GatewayError as exc:
        log.warning("upload %s not released: %s", upload_id, exc)
        return False


async def consumed(ctx: Context, attached: Attached) -> None:
    """The listing holds its renditions now: the staged originals may go (best effort;
    the bucket's lifecycle rule removes what is left)."""
    if attached.claimed:
        await bucket_of(ctx).delete(f"staging/{u}" for u in attached.claimed)
