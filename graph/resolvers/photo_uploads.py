"""Staging listing photo uploads (issue 27): each file is recorded in the tenant's
`uploads` table and gets a POST form signed for `staging/<uploadId>` of the tenant's
own bucket, whose policy fixes the content type and the exact size. Attaching them is
graph/resolvers/photos.py."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from graph.domain import MAX_IMAGES, UserError, UserErrorCode
from graph.photos import FORMATS
from graph.resolvers.context import Context
from graph.store import PhotoBucket, StagedUpload

#: How long a staging form is valid.
FORM_SECONDS = 600
#: Largest file a form accepts (the policy's content-length-range is the declared size).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
TYPES = frozenset(FORMATS.values())
#: The DynamoDB calls stage_uploads makes (graph/resolvers/listings.py says how they are
#: counted): one BatchWriteItem for its (at most 12) records; unprocessed ones re-sent
#: under throttling are charged as they happen.
STAGE_CALLS = (1, 0)


@dataclass(frozen=True)
class StagedForm:
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: int


def bucket_of(ctx: Context) -> PhotoBucket:
    photos = ctx.store.photos
    if photos is None:  # pragma: no cover - every TenantGraph store has one
        raise RuntimeError("this store has no photo bucket")
    return photos


async def stage_uploads(
    ctx: Context, files: Sequence[tuple[str, int]]
) -> tuple[list[StagedForm], list[UserError]]:
    errors: list[UserError] = []
    if len(files) > MAX_IMAGES:
        errors.append(
            UserError(("input",), f"At most {MAX_IMAGES} files a call.", UserErrorCode.TOO_LONG)
        )
    for n, (content_type, byte_size) in enumerate(files):
        if content_type not in TYPES:
            errors.append(
                UserError(
                    ("input", str(n), "contentType"),
                    f"Use one of {', '.join(sorted(TYPES))}.",
                    UserErrorCode.UNSUPPORTED_IMAGE,
                )
            )
        if not 1 <= byte_size <= MAX_UPLOAD_BYTES:
            errors.append(
                UserError(
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
    bucket = bucket_of(ctx)
    forms = []
    for upload in staged:
        url, fields = await bucket.presign_post(
            upload.upload_id, upload.content_type, upload.byte_size, FORM_SECONDS
        )
        forms.append(StagedForm(upload.upload_id, url, fields, expires_at))
    return forms, []
