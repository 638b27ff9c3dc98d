"""Who may read what in a tenant's bucket on the local S3 server (issue 27): anonymous
readers (the browser, standing in for the CDN) GET renditions and nothing else; the
tenant's origins, and only they, get CORS answers."""

from __future__ import annotations

import httpx

from tests.photos.conftest import PhotoRig
from tests.schema.photo_kit import create, png, staged_upload


async def test_anonymous_readers_get_renditions_but_never_staged_uploads(rig: PhotoRig) -> None:
    shown = await staged_upload(rig.gw, png((700, 500)))
    created = await create(rig.gw, [{"uploadId": shown}])
    assert created["userErrors"] == []
    srcset = created["listing"]["photos"][0]["srcset"]
    renditions = [part.rsplit(" ", 1)[0] for part in srcset.split(", ")]
    # An upload posted but not attached (not checked, not stripped of its EXIF yet).
    pending = await staged_upload(rig.gw, png((300, 200)))
    assert f"staging/{pending}" in await rig.keys("staging/")  # it is there
    endpoint = rig.settings.s3_endpoint
    bucket = rig.bucket()

    async with httpx.AsyncClient() as anonymous:
        for url in renditions:
            assert (await anonymous.get(url)).status_code == 200
        staged = await anonymous.get(f"{endpoint}/{bucket}/staging/{pending}")
        missing = await anonymous.get(f"{endpoint}/{bucket}/staging/upl-none")
        listing = await anonymous.get(f"{endpoint}/{bucket}?list-type=2")
        listing_staging = await anonymous.get(f"{endpoint}/{bucket}?list-type=2&prefix=staging/")

    assert staged.status_code == 403, staged.content[:200]
    assert "AccessDenied" in staged.text
    assert png((300, 200))[:8] not in staged.content
    assert missing.status_code == 403  # the same answer whether it exists or not
    assert listing.status_code == 403
    assert listing_staging.status_code == 403
    assert pending not in listing.text + listing_staging.text


async def test_cors_answers_the_tenants_origins_only(rig: PhotoRig) -> None:
    created = await create(rig.gw, [{"uploadId": await staged_upload(rig.gw, png())}])
    rendition = created["listing"]["photos"][0]["small"]
    (origin,) = rig.gw.tenants["kicks"].config.origins
    preflight = {"Access-Control-Request-Method": "POST"}
    async with httpx.AsyncClient() as browser:
        ours = await browser.get(rendition, headers={"Origin": origin})
        theirs = await browser.get(rendition, headers={"Origin": "https://other.example"})
        asked = await browser.options(rendition, headers={"Origin": origin, **preflight})
        refused = await browser.options(
            rendition, headers={"Origin": "https://other.example", **preflight}
        )
    assert ours.headers.get("access-control-allow-origin") == origin
    assert "access-control-allow-origin" not in theirs.headers
    assert asked.status_code == 200
    assert "POST" in asked.headers.get("access-control-allow-methods", "")
    assert refused.status_code == 403
