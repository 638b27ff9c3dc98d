"""What the photo tests share: a gateway wired to the local S3 server, photo files made
with Pillow, and the browser's part (posting a staged form)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import httpx
from PIL import Image

from tests.conftest import Gateway

STAGE = """
mutation Stage($input: [StagePhotoUploadInput!]!) {
  stagePhotoUploads(input: $input) {
    uploads { uploadId url fields expiresAt }
    userErrors { field message code }
  }
}"""

CREATE = """
mutation Create($input: CreateListingInput!) {
  createListing(input: $input) {
    listing { id version photos { width height alt placeholder srcset url small: url(width: 176) } }
    userErrors { field message code }
  }
}"""

UPDATE = """
mutation Update($id: ID!, $v: Int!, $input: UpdateListingInput!) {
  updateListing(id: $id, expectedVersion: $v, input: $input) {
    listing { id version photos { alt srcset } }
    userErrors { field message code }
  }
}"""


def listing_input(photos: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "sellerId": "sel-001",
        "productId": "prd-001",
        "title": "Runner with photos",
        "condition": "GOOD",
        "price": {"amount": "80.00", "currency": "EUR"},
        "photos": photos,
    }


def jpeg_with_gps(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A JPEG whose EXIF holds a GPS position (a phone photo carries the seller's home)."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 29.0)
    gps[3] = "E"
    gps[4] = (2.0, 17.0, 40.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def png_bomb(side: int = 50_000) -> bytes:
    """A PNG whose header says side x side pixels, in a few KB: refused unopened."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side + 1) * 40, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


async def stage(gw: Gateway, files: list[tuple[str, int]], tenant: str = "kicks") -> Any:
    body = await gw.gql(
        STAGE,
        {"input": [{"contentType": t, "byteSize": n} for t, n in files]},
        scope="write",
        tenant=tenant,
    )
    return body["data"]["stagePhotoUploads"]


async def post_form(form: dict[str, Any], data: bytes, content_type: str) -> httpx.Response:
    """What a browser's form does: the signed fields, then the file, multipart."""
    async with httpx.AsyncClient() as client:
        return await client.post(
            form["url"], data=form["fields"], files={"file": ("photo", data, content_type)}
        )


async def staged_upload(
    gw: Gateway, data: bytes, content_type: str = "image/jpeg", tenant: str = "kicks"
) -> str:
    staged = await stage(gw, [(content_type, len(data))], tenant=tenant)
    form = staged["uploads"][0]
    posted = await post_form(form, data, content_type)
    assert posted.status_code in (200, 201, 204), posted.text
    return str(form["uploadId"])


async def create(gw: Gateway, photos: list[dict[str, Any]], tenant: str = "kicks") -> Any:
    body = await gw.gql(CREATE, {"input": listing_input(photos)}, scope="write", tenant=tenant)
    assert "errors" not in body, body
    return body["data"]["createListing"]
