"""A tenant's photo bucket: the only code that talks to S3 (issue 27).

`PhotoBucket` is built per request from the process's one S3 client (opened on first
use) and the bucket of the tenant the credential resolved to; it has no method that
takes a bucket name, so a request reaches only its tenant's bucket. Keys:

    staging/<uploadId>              what a seller posted; expires by lifecycle rule
    renditions/<sha256>/<width>.webp  content-hashed, immutable, served by the CDN
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from graph.errors import Unavailable

log = logging.getLogger(__name__)

STAGING = "staging/"
RENDITIONS = "renditions/"
#: Renditions never change under their key: browsers and the CDN may keep them a year.
IMMUTABLE = "public, max-age=31536000, immutable"
#: The local S3 server's credentials (graph/local/s3_local.py configures the same pair).
LOCAL_ACCESS_KEY = "local"
LOCAL_SECRET_KEY = "local-secret-key"

S3Client = Callable[[], Awaitable[Any]]


def staging_key(upload_id: str) -> str:
    return f"{STAGING}{upload_id}"


def rendition_key(digest: str, width: int) -> str:
    return f"{RENDITIONS}{digest}/{width}.webp"


@dataclass
class PhotoStats:
    """What one request moved through S3: bytes read (staged files) and written."""

    bytes_read: int = 0
    bytes_written: int = 0
    calls: int = 0


class PhotoBucket:
    def __init__(
        self,
        client: S3Client,
        bucket: str,
        public_url: str,
        *,
        deadline: float | None = None,
        stats: PhotoStats | None = None,
    ) -> None:
        self._client = client
        self.bucket = bucket
        self.public_url = public_url.rstrip("/")
        self.deadline = deadline
        self.stats = stats if stats is not None else PhotoStats()

    def url(self, key: str) -> str:
        """The public (CDN, or local server) URL of a rendition key."""
        return f"{self.public_url}/{key}"

    async def _call(self, operation: str, **request: Any) -> Any:
        client = await self._client()
        self.stats.calls += 1
        try:
            async with asyncio.timeout_at(self.deadline):
                return await getattr(client, operation)(Bucket=self.bucket, **request)
        except ClientError:
            raise
        except (BotoCoreError, TimeoutError) as exc:
            log.warning("S3 %s failed: %s", operation, exc)
            raise Unavailable(
                "The photo storage did not answer; retry the request shortly.", retryable=True
            ) from exc

    async def presign_post(
        self, upload_id: str, content_type: str, byte_size: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        """A form a browser posts the file with: the key, the content type and the exact
        size are fixed by the signed policy, so the storage refuses anything else."""
        client = await self._client()
        form = await client.generate_presigned_post(
            Bucket=self.bucket,
            Key=staging_key(upload_id),
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", byte_size, byte_size],
            ],
            ExpiresIn=expires_in,
        )
        return str(form["url"]), {str(k): str(v) for k, v in form["fields"].items()}

    async def read_staged(self, upload_id: str, max_bytes: int) -> bytes | None:
        """The staged file (at most `max_bytes + 1` bytes are read), or None if absent."""
        try:
            response = await self._call(
                "get_object", Key=staging_key(upload_id), Range=f"bytes=0-{max_bytes}"
            )
        except ClientError as exc:
            if _status(exc) in (404, 416):
                return None
            raise _unavailable(exc) from exc
        async with response["Body"] as body:
            data: bytes = await body.read()
        self.stats.bytes_read += len(data)
        return data

    async def put_rendition(self, key: str, data: bytes) -> None:
        try:
            await self._call(
                "put_object",
                Key=key,
                Body=data,
                ContentType="image/webp",
                CacheControl=IMMUTABLE,
            )
        except ClientError as exc:
            raise _unavailable(exc) from exc
        self.stats.bytes_written += len(data)

    async def delete(self, keys: Iterable[str]) -> None:
        """Delete objects (renditions no listing uses, consumed staged files)."""
        wanted = [{"Key": key} for key in keys]
        for start in range(0, len(wanted), 1000):
            try:
                answer = await self._call(
                    "delete_objects", Delete={"Objects": wanted[start : start + 1000]}
                )
            except ClientError as exc:
                raise _unavailable(exc) from exc
            # S3 answers 200 with an error per key it kept (AccessDenied, say): say so.
            for error in answer.get("Errors") or []:
                log.warning("S3 kept %s: %s", error.get("Key"), error.get("Code"))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _unavailable(exc: ClientError) -> Unavailable:
    log.error("S3 call failed: %s", exc.response.get("Error", {}))
    return Unavailable("The photo storage refused the request; retry shortly.", retryable=True)
