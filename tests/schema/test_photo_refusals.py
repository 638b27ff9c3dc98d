"""Each bad photo input is a user error with a code, and the listing is left as it was
(issue 27): files that are not images, bombs, damage, foreign and expired uploads,
unfinished uploads, too many photos, too much alt text."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from graph.settings import Settings
from graph.store import to_wire
from tests.conftest import Gateway, open_photos_gateway
from tests.schema.photo_kit import (
    UPDATE,
    create,
    jpeg_with_gps,
    png,
    png_bomb,
    stage,
    staged_upload,
)

READ = "query($id: ID!) { listing(id: $id) { version photos { srcset } } }"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


@pytest.fixture
async def photos_gw(ddb: Any, settings: Settings, s3_endpoint: str) -> AsyncIterator[Gateway]:
    async with open_photos_gateway(ddb, settings, s3_endpoint, ("kicks", "rival")) as (gw, _, _):
        yield gw


@pytest.fixture
async def listing(photos_gw: Gateway) -> dict[str, Any]:
    """A listing with one photo: each refusal below must leave it exactly so."""
    created = await create(photos_gw, [{"uploadId": await staged_upload(photos_gw, png())}])
    assert created["userErrors"] == []
    return dict(created["listing"])


async def refused_update(gw: Gateway, listing: dict[str, Any], photos: list[Any]) -> list[Any]:
    body = await gw.gql(
        UPDATE,
        {"id": listing["id"], "v": listing["version"], "input": {"photos": photos}},
        scope="write",
    )
    assert "errors" not in body, body
    payload = body["data"]["updateListing"]
    assert payload["listing"] is None
    after = await gw.gql(READ, {"id": listing["id"]}, scope="write")
    assert after["data"]["listing"]["version"] == listing["version"]
    assert after["data"]["listing"]["photos"][0]["srcset"] == listing["photos"][0]["srcset"]
    return [(tuple(e["field"]), e["code"]) for e in payload["userErrors"]]


@pytest.mark.parametrize(
    ("data", "declared"),
    [(PDF, "image/jpeg"), (SVG, "image/jpeg"), (png_bomb(), "image/png")],
    ids=["pdf-renamed-jpg", "svg-with-script-renamed-jpg", "50000x50000-png"],
)
async def test_not_a_photo_we_take(
    photos_gw: Gateway, listing: dict[str, Any], data: bytes, declared: str
) -> None:
    assert len(data) < 8_000
    upload = await staged_upload(photos_gw, data, declared)
    errors = await refused_update(photos_gw, listing, [{"uploadId": upload}])
    assert errors == [(("photos", "0", "uploadId"), "UNSUPPORTED_IMAGE")]
    # Refused, the upload is free again: nothing half-claimed is left behind.
    created = await create(photos_gw, [{"uploadId": upload}])
    assert [e["code"] for e in created["userErrors"]] == ["UNSUPPORTED_IMAGE"]


async def test_a_truncated_jpeg(photos_gw: Gateway, listing: dict[str, Any]) -> None:
    whole = jpeg_with_gps((800, 600))
    upload = await staged_upload(photos_gw, whole[: len(whole) // 2])
    errors = await refused_update(photos_gw, listing, [{"uploadId": upload}])
    assert errors == [(("photos", "0", "uploadId"), "UNSUPPORTED_IMAGE")]


async def test_another_tenants_upload(photos_gw: Gateway, listing: dict[str, Any]) -> None:
    theirs = await staged_upload(photos_gw, png(), "image/png", tenant="rival")
    errors = await refused_update(photos_gw, listing, [{"uploadId": theirs}])
    assert errors == [(("photos", "0", "uploadId"), "NOT_FOUND")]


async def test_an_unknown_or_malformed_upload_id(
    photos_gw: Gateway, listing: dict[str, Any]
) -> None:
    errors = await refused_update(
        photos_gw, listing, [{"uploadId": "upl-0000"}, {"uploadId": "../staging/x"}]
    )
    assert errors == [
        (("photos", "0", "uploadId"), "NOT_FOUND"),
        (("photos", "1", "uploadId"), "NOT_FOUND"),
    ]


async def test_an_expired_upload(photos_gw: Gateway, listing: dict[str, Any], ddb: Any) -> None:
    upload = await staged_upload(photos_gw, png())
    table = photos_gw.tenants["kicks"].tables.uploads
    await ddb.update_item(  # the form's ten minutes have passed
        TableName=table,
        Key={"uploadId": {"S": upload}},
        UpdateExpression="SET formExpiresAt = :past",
        ExpressionAttributeValues={":past": to_wire({"v": 1})["v"]},
    )
    errors = await refused_update(photos_gw, listing, [{"uploadId": upload}])
    assert errors == [(("photos", "0", "uploadId"), "EXPIRED")]


async def test_attaching_before_the_upload_finished(
    photos_gw: Gateway, listing: dict[str, Any]
) -> None:
    staged = await stage(photos_gw, [("image/png", 1000)])  # staged, never posted
    errors = await refused_update(
        photos_gw, listing, [{"uploadId": staged["uploads"][0]["uploadId"]}]
    )
    assert errors == [(("photos", "0", "uploadId"), "NOT_UPLOADED")]


async def test_13_photos(photos_gw: Gateway, listing: dict[str, Any]) -> None:
    errors = await refused_update(photos_gw, listing, [{"uploadId": f"upl-{n}"} for n in range(13)])
    assert errors == [(("photos",), "TOO_LONG")]


async def test_10_kb_of_alt_text(photos_gw: Gateway, listing: dict[str, Any]) -> None:
    upload = await staged_upload(photos_gw, png())
    errors = await refused_update(photos_gw, listing, [{"uploadId": upload, "alt": "a" * 10_240}])
    assert errors == [(("photos", "0", "alt"), "TOO_LONG")]
    # The upload was never claimed: it still attaches.
    created = await create(photos_gw, [{"uploadId": upload, "alt": "a" * 500}])
    assert created["userErrors"] == []


async def test_one_bad_photo_among_good_ones_releases_the_good(
    photos_gw: Gateway, listing: dict[str, Any]
) -> None:
    good = await staged_upload(photos_gw, png())
    bad = await staged_upload(photos_gw, PDF, "image/jpeg")
    errors = await refused_update(photos_gw, listing, [{"uploadId": good}, {"uploadId": bad}])
    assert errors == [(("photos", "1", "uploadId"), "UNSUPPORTED_IMAGE")]
    created = await create(photos_gw, [{"uploadId": good}])
    assert created["userErrors"] == []


async def test_external_images_are_https_only(photos_gw: Gateway) -> None:
    body = await photos_gw.gql(
        UPDATE.replace("photos { alt srcset }", "images { url }"),
        {"id": "lst-0001", "v": 1, "input": {"images": [{"url": "http://img.example.com/a.jpg"}]}},
        scope="write",
    )
    errors = body["data"]["updateListing"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["images", "0", "url"], "INVALID")]


def test_the_bomb_is_small_and_says_50000_square() -> None:
    bomb = png_bomb()
    assert len(bomb) < 8_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(bomb))
