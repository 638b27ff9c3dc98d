"""Listing photos over the real local S3 server (SeaweedFS) and DynamoDB Local: stage,
post the file as a browser form does, attach, fetch every rendition (issue 27)."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image

from graph.settings import Settings
from tests.conftest import Gateway, open_photos_gateway
from tests.schema.photo_kit import (
    CREATE,
    UPDATE,
    create,
    jpeg_with_gps,
    listing_input,
    png,
    post_form,
    stage,
    staged_upload,
)


@pytest.fixture
async def photos_gw(ddb: Any, settings: Settings, s3_endpoint: str) -> AsyncIterator[Gateway]:
    async with open_photos_gateway(ddb, settings, s3_endpoint, ("kicks", "rival")) as (gw, _, _):
        yield gw


async def test_stage_post_attach_and_every_rendition_is_clean(photos_gw: Gateway) -> None:
    original = jpeg_with_gps((1600, 1200))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is there
    upload = await staged_upload(photos_gw, original)

    created = await create(photos_gw, [{"uploadId": upload, "alt": "Left shoe, side view"}])

    assert created["userErrors"] == []
    (photo,) = created["listing"]["photos"]
    assert (photo["width"], photo["height"], photo["alt"]) == (1600, 1200, "Left shoe, side view")
    assert photo["placeholder"]
    entries = [part.rsplit(" ", 1) for part in photo["srcset"].split(", ")]
    assert [w for _, w in entries] == ["160w", "320w", "640w", "1280w"]
    assert photo["small"].endswith("/320.webp")  # a 176 px card
    async with httpx.AsyncClient() as client:
        for url, descriptor in entries:
            response = await client.get(url)  # anonymous, as the CDN serves it
            assert response.status_code == 200
            assert response.headers["content-type"] == "image/webp"
            assert "immutable" in response.headers.get("cache-control", "")
            rendition = Image.open(io.BytesIO(response.content))
            assert rendition.format == "WEBP"
            assert f"{rendition.width}w" == descriptor
            assert rendition.height == round(1200 * rendition.width / 1600)
            exif = rendition.getexif()
            assert not exif.get_ifd(0x8825)
            assert 0x010F not in exif
            assert b"PhoneMaker" not in response.content


async def test_attach_to_another_listing_loses_and_update_keeps_held_photos(
    photos_gw: Gateway,
) -> None:
    upload = await staged_upload(photos_gw, png())
    first = await create(photos_gw, [{"uploadId": upload}])
    assert first["userErrors"] == []
    second = await create(photos_gw, [{"uploadId": upload}])
    assert [e["code"] for e in second["userErrors"]] == ["ALREADY_USED"]
    assert second["listing"] is None

    listing = first["listing"]
    kept = await photos_gw.gql(
        UPDATE,
        {
            "id": listing["id"],
            "v": listing["version"],
            "input": {"photos": [{"uploadId": upload, "alt": "now described"}]},
        },
        scope="write",
    )
    payload = kept["data"]["updateListing"]
    assert payload["userErrors"] == []
    assert payload["listing"]["photos"][0]["alt"] == "now described"
    assert payload["listing"]["photos"][0]["srcset"] == listing["photos"][0]["srcset"]


async def test_same_upload_attached_twice_at_once_wins_once(photos_gw: Gateway) -> None:
    upload = await staged_upload(photos_gw, png())
    results = await asyncio.gather(*(create(photos_gw, [{"uploadId": upload}]) for _ in range(2)))
    won = [r for r in results if r["listing"] is not None]
    lost = [r for r in results if r["listing"] is None]
    assert len(won) == 1
    assert len(lost) == 1
    assert [e["code"] for e in lost[0]["userErrors"]] == ["ALREADY_USED"]


async def test_the_storage_refuses_a_file_over_the_staged_size(photos_gw: Gateway) -> None:
    data = png()
    staged = await stage(photos_gw, [("image/png", len(data) - 1)])
    refused = await post_form(staged["uploads"][0], data, "image/png")
    assert refused.status_code == 400
    assert "EntityTooLarge" in refused.text
    # Nothing was stored, so attaching it says so and writes nothing.
    created = await create(photos_gw, [{"uploadId": staged["uploads"][0]["uploadId"]}])
    assert [e["code"] for e in created["userErrors"]] == ["NOT_UPLOADED"]


async def test_the_storage_refuses_another_content_type(photos_gw: Gateway) -> None:
    staged = await stage(photos_gw, [("image/png", 10)])
    form = staged["uploads"][0]
    forged = {**form, "fields": {**form["fields"], "Content-Type": "text/html"}}
    refused = await post_form(forged, b"<script>1", "text/html")
    assert refused.status_code == 403


async def test_staging_refuses_13_files_and_other_types(photos_gw: Gateway) -> None:
    thirteen = await stage(photos_gw, [("image/jpeg", 1000)] * 13)
    assert thirteen["uploads"] == []
    assert [e["code"] for e in thirteen["userErrors"]] == ["TOO_LONG"]
    odd = await stage(photos_gw, [("image/svg+xml", 10), ("image/jpeg", 0)])
    assert sorted(e["code"] for e in odd["userErrors"]) == ["OUT_OF_RANGE", "UNSUPPORTED_IMAGE"]


async def test_staging_needs_a_write_key(photos_gw: Gateway) -> None:
    body = await photos_gw.gql(
        'mutation { stagePhotoUploads(input: [{contentType: "image/png", byteSize: 9}]) '
        "{ uploads { uploadId } } }",
        scope="read",
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_forms_expire_in_about_ten_minutes(photos_gw: Gateway) -> None:
    staged = await stage(photos_gw, [("image/png", 10)])
    expires = staged["uploads"][0]["expiresAt"]
    from datetime import datetime

    left = datetime.fromisoformat(expires).timestamp() - time.time()
    assert 540 < left <= 600


async def test_staging_is_charged_per_file(photos_gw: Gateway) -> None:
    costs = []
    for count in (1, 12):
        response = await photos_gw.post(
            "mutation($input: [StagePhotoUploadInput!]!) { stagePhotoUploads(input: $input) "
            "{ uploads { uploadId url fields expiresAt } } }",
            {"input": [{"contentType": "image/png", "byteSize": 10}] * count},
            scope="write",
        )
        costs.append(response.json()["extensions"]["cost"]["requested"])
    assert costs[1] - costs[0] == 11 * 5  # 4 fields and the object, once per more file


async def test_an_idempotent_retry_returns_the_listing_with_its_photos(photos_gw: Gateway) -> None:
    upload = await staged_upload(photos_gw, png())
    variables = {"input": listing_input([{"uploadId": upload, "alt": "front"}])}
    headers = {"Idempotency-Key": f"photo-create-{upload}"}
    first = await photos_gw.gql(CREATE, variables, scope="write", headers=headers)
    again = await photos_gw.gql(CREATE, variables, scope="write", headers=headers)
    assert first["data"]["createListing"]["userErrors"] == []
    assert again["data"]["createListing"] == first["data"]["createListing"]


async def test_a_projected_product_page_reads_the_photos(photos_gw: Gateway) -> None:
    upload = await staged_upload(photos_gw, png())
    created = await create(photos_gw, [{"uploadId": upload, "alt": "on the page"}])
    page = await photos_gw.gql(
        'query { productListings(productId: "prd-001", first: 50) '
        "{ edges { node { id photos { alt width } } } } }",
        scope="read",
    )
    nodes = {e["node"]["id"]: e["node"] for e in page["data"]["productListings"]["edges"]}
    assert nodes[created["listing"]["id"]]["photos"] == [{"alt": "on the page", "width": 400}]
