"""A listing write that does not happen after its photos' renditions were written leaves
no rendition behind and frees its uploads (issue 27), over the real local S3 server and
DynamoDB Local: a DynamoDB fault injected on the listing's write (a botocore
`before-send` hook), a version lost to a competing write, a refused sibling photo. What
another write of the same listing holds is never deleted: a twin request that wins
keeps every rendition, and a claim a twin renewed is not released."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from aiobotocore.awsrequest import AioAWSResponse

from graph.store import CursorCodec, StagedUpload, TenantStore
from tests.photos.conftest import PhotoRig
from tests.schema.photo_kit import CREATE, UPDATE, create, listing_input, png, staged_upload
from tests.store.test_faults import INTERNAL, error_response

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TITLE = """
mutation($id: ID!, $v: Int!) {
  updateListing(id: $id, expectedVersion: $v, input: {title: "Sold to the other tab"}) {
    listing { version }
  }
}"""
READ = "query($id: ID!) { listing(id: $id) { version title photos { srcset } } }"


@contextmanager
def failing(client: Any, operation: str, table: str) -> Iterator[list[str]]:
    """Every `operation` on `table` answers 500 (after botocore's retries: UNAVAILABLE)."""
    hits: list[str] = []

    def handler(request: Any, **_: Any) -> AioAWSResponse | None:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        body = json.loads(request.body or b"{}")
        if target.endswith(f".{operation}") and body.get("TableName") == table:
            hits.append(operation)
            return error_response(request.url, INTERNAL)
        return None

    client.meta.events.register("before-send.dynamodb", handler, unique_id="orphans-fault")
    try:
        yield hits
    finally:
        client.meta.events.unregister("before-send.dynamodb", unique_id="orphans-fault")


@contextmanager
def before_first_rendition(s3: Any, work: Callable[[], Awaitable[None]]) -> Iterator[None]:
    """Runs `work` (to its end) when the first rendition PUT is about to be sent: the
    renditions are being written, the listing write has not been tried yet."""
    started = False

    async def handler(request: Any, **_: Any) -> None:
        nonlocal started
        if not started and "/renditions/" in request.url:
            started = True
            await work()

    s3.meta.events.register("before-send.s3.PutObject", handler, unique_id="orphans-race")
    try:
        yield
    finally:
        s3.meta.events.unregister("before-send.s3.PutObject", unique_id="orphans-race")


async def listing_count(rig: PhotoRig) -> int:
    pages = rig.ddb.get_paginator("scan").paginate(
        TableName=rig.gw.tenants["kicks"].tables.listings, Select="COUNT"
    )
    return sum([page["Count"] async for page in pages])


def urls(photo: dict[str, Any]) -> list[str]:
    return [part.rsplit(" ", 1)[0] for part in photo["srcset"].split(", ")]


async def update(rig: PhotoRig, listing: dict[str, Any], version: int, upload: str) -> Any:
    variables = {"id": listing["id"], "v": version, "input": {"photos": [{"uploadId": upload}]}}
    return await rig.gw.gql(UPDATE, variables, scope="write")


async def test_a_create_whose_put_fails_leaves_no_renditions_and_frees_its_upload(
    rig: PhotoRig,
) -> None:
    upload = await staged_upload(rig.gw, png((800, 600)))
    before, count = await rig.keys(), await listing_count(rig)

    with failing(rig.ddb, "PutItem", rig.gw.tenants["kicks"].tables.listings) as hits:
        body = await rig.gw.gql(
            CREATE, {"input": listing_input([{"uploadId": upload}])}, scope="write"
        )

    assert hits, "the listing's PutItem was never tried"
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAVAILABLE"]
    assert await listing_count(rig) == count  # no listing written
    assert await rig.keys() == before  # no rendition left behind
    assert f"staging/{upload}" in await rig.keys("staging/")  # the upload is intact
    again = await create(rig.gw, [{"uploadId": upload}])  # and free to attach
    assert again["userErrors"] == []
    assert len(await rig.keys() - before) == len(
        again["listing"]["photos"][0]["srcset"].split(", ")
    )


async def test_an_update_whose_write_fails_keeps_the_listing_as_it_was(rig: PhotoRig) -> None:
    first = await create(rig.gw, [{"uploadId": await staged_upload(rig.gw, png((600, 400)))}])
    listing = first["listing"]
    upload = await staged_upload(rig.gw, png((900, 700)))
    before = await rig.keys()

    with failing(rig.ddb, "UpdateItem", rig.gw.tenants["kicks"].tables.listings):
        body = await update(rig, listing, listing["version"], upload)

    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAVAILABLE"]
    now = (await rig.gw.gql(READ, {"id": listing["id"]}))["data"]["listing"]
    assert now["version"] == listing["version"]
    assert now["photos"][0]["srcset"] == listing["photos"][0]["srcset"]
    assert await rig.keys() == before
    async with httpx.AsyncClient() as anonymous:  # the photo it holds is still served
        assert {(await anonymous.get(u)).status_code for u in urls(listing["photos"][0])} == {200}
    retried = await update(rig, listing, listing["version"], upload)
    assert retried["data"]["updateListing"]["userErrors"] == []


async def test_an_update_that_loses_its_version_leaves_no_renditions(rig: PhotoRig) -> None:
    first = await create(rig.gw, [{"uploadId": await staged_upload(rig.gw, png((600, 400)))}])
    listing = first["listing"]
    upload = await staged_upload(rig.gw, png((1000, 800)))
    before = await rig.keys()
    competitor: list[Any] = []

    async def other_tab() -> None:  # lands while this request writes its renditions
        variables = {"id": listing["id"], "v": listing["version"]}
        competitor.append(await rig.gw.gql(TITLE, variables, scope="write"))

    with before_first_rendition(rig.s3, other_tab):
        body = await update(rig, listing, listing["version"], upload)

    assert competitor[0]["data"]["updateListing"]["listing"]["version"] == listing["version"] + 1
    assert [e["extensions"]["code"] for e in body["errors"]] == ["CONFLICT"]
    now = (await rig.gw.gql(READ, {"id": listing["id"]}))["data"]["listing"]
    assert now["title"] == "Sold to the other tab"
    assert now["photos"][0]["srcset"] == listing["photos"][0]["srcset"]
    assert await rig.keys() == before
    retried = await update(rig, listing, listing["version"] + 1, upload)
    assert retried["data"]["updateListing"]["userErrors"] == []


async def test_a_refused_sibling_photo_leaves_no_renditions(rig: PhotoRig) -> None:
    good = await staged_upload(rig.gw, png((700, 500)))
    bad = await staged_upload(rig.gw, PDF, "image/png")
    before = await rig.keys()

    refused = await create(rig.gw, [{"uploadId": good}, {"uploadId": bad}])

    assert [e["code"] for e in refused["userErrors"]] == ["UNSUPPORTED_IMAGE"]
    assert await rig.keys() == before
    assert (await create(rig.gw, [{"uploadId": good}]))["userErrors"] == []


async def test_a_twin_request_that_wins_keeps_every_rendition(rig: PhotoRig) -> None:
    """A double submit: the same update twice at once. The twin attaches the same upload
    (its claim renewed for the same listing) and writes the same content-hashed keys;
    it wins, so the loser's cleanup must leave all of them."""
    first = await create(rig.gw, [{"uploadId": await staged_upload(rig.gw, png((600, 400)))}])
    listing = first["listing"]
    upload = await staged_upload(rig.gw, png((1000, 800)))
    twin: list[Any] = []

    async def double_submit() -> None:
        twin.append(await update(rig, listing, listing["version"], upload))

    with before_first_rendition(rig.s3, double_submit):
        loser = await update(rig, listing, listing["version"], upload)

    assert [e["extensions"]["code"] for e in loser["errors"]] == ["CONFLICT"]
    won = twin[0]["data"]["updateListing"]
    assert won["userErrors"] == []
    async with httpx.AsyncClient() as anonymous:
        shown = [(await anonymous.get(u)).status_code for u in urls(won["listing"]["photos"][0])]
    assert shown == [200] * len(shown)
    other = await create(rig.gw, [{"uploadId": upload}])  # still the listing's upload
    assert [e["code"] for e in other["userErrors"]] == ["ALREADY_USED"]


async def test_a_claim_renewed_by_a_twin_is_not_released(rig: PhotoRig, ddb: Any) -> None:
    store = TenantStore(ddb, rig.gw.tenants["kicks"].tables, CursorCodec(b"s", "t"))
    upload = StagedUpload("upl-twin-0001", "image/png", 10, expires_at=2_000_000_000)
    await store.uploads.stage([upload])
    first = await store.uploads.claim(upload.upload_id, "lst-a", 1_000, "token-1")
    assert "attachedTo" not in first  # claimed while free
    renewed = await store.uploads.claim(upload.upload_id, "lst-a", 1_000, "token-2")
    assert renewed["attachedTo"] == "lst-a"  # a twin of the same listing

    assert await store.uploads.release(upload.upload_id, "lst-a", "token-1") is False
    held = await ddb.get_item(
        TableName=rig.gw.tenants["kicks"].tables.uploads, Key={"uploadId": {"S": "upl-twin-0001"}}
    )
    assert held["Item"]["attachedTo"] == {"S": "lst-a"}
    assert await store.uploads.release(upload.upload_id, "lst-a", "token-2") is True
    assert "attachedTo" not in (await store.uploads.claim(upload.upload_id, "lst-b", 1_000, "t3"))
