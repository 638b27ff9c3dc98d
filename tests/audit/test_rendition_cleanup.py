"""The stream consumer deletes renditions a listing no longer shows, after the history
recorded the change (issue 27), and only in that tenant's bucket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph.settings import Settings
from tests.conftest import Gateway, make_audit, open_photos_gateway
from tests.schema.photo_kit import UPDATE, create, png, staged_upload

HISTORY = """
query($id: ID!) {
  listing(id: $id) { history(first: 10) { edges { node { changes { field } } } } }
}"""


@pytest.fixture
async def photos_gw(
    ddb: Any, settings: Settings, s3_endpoint: str
) -> AsyncIterator[tuple[Gateway, Settings]]:
    # Fresh and unseeded: the stream then holds this test's few records, not the demo's.
    photos = open_photos_gateway(ddb, settings, s3_endpoint, seed=False, fresh=True)
    async with photos as (gw, _, with_s3):
        yield gw, with_s3


async def statuses(urls: list[str]) -> list[int]:
    async with httpx.AsyncClient() as client:
        return [(await client.get(url)).status_code for url in urls]


def urls(photo: dict[str, Any]) -> list[str]:
    return [part.rsplit(" ", 1)[0] for part in photo["srcset"].split(", ")]


async def test_replaced_photo_renditions_go_after_the_history_has_them(
    photos_gw: tuple[Gateway, Settings], ddb: Any, streams: Any
) -> None:
    gw, settings = photos_gw
    seller = await gw.gql(
        'mutation { upsertSeller(input: {id: "sel-001", displayName: "Ada"}) '
        "{ userErrors { code } } }",
        scope="write",
    )
    assert seller["data"]["upsertSeller"]["userErrors"] == []
    first = await staged_upload(gw, png((700, 500)))
    created = await create(gw, [{"uploadId": first}])
    listing = created["listing"]
    old_urls = urls(listing["photos"][0])
    second = await staged_upload(gw, png((900, 600)))
    body = await gw.gql(
        UPDATE,
        {"id": listing["id"], "v": listing["version"], "input": {"photos": [{"uploadId": second}]}},
        scope="write",
    )
    new_urls = urls(body["data"]["updateListing"]["listing"]["photos"][0])
    assert await statuses(old_urls + new_urls) == [200] * (len(old_urls) + len(new_urls))

    audit = make_audit(gw, settings, ddb, streams)
    try:
        for _ in range(5):  # a busy DynamoDB Local may fail a batch: it is redelivered
            await audit.drain()
            if audit.consumer.renditions_deleted >= len(old_urls):
                break
    finally:
        audit.consumer.close()

    assert audit.consumer.renditions_deleted == len(old_urls) == 4  # 160, 320, 640, 700 px
    assert await statuses(old_urls) == [404] * len(old_urls)
    assert await statuses(new_urls) == [200] * len(new_urls)
    trail = await gw.gql(HISTORY, {"id": listing["id"]}, scope="write")
    fields = [
        [c["field"] for c in e["node"]["changes"]]
        for e in trail["data"]["listing"]["history"]["edges"]
    ]
    assert fields[0] == ["photos"]  # newest first: the update changed the photos only
