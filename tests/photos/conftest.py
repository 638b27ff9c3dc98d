"""A gateway wired to the session's local S3 server (SeaweedFS), with an S3 client of
its own for the tests to look into the tenant's bucket (issue 27)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from graph.settings import Settings
from tests.conftest import Gateway, open_photos_gateway


@dataclass
class PhotoRig:
    gw: Gateway
    s3: Any
    settings: Settings
    #: The gateway's DynamoDB client (the session's): faults are injected on it.
    ddb: Any

    def bucket(self, tenant: str = "kicks") -> str:
        return self.gw.tenants[tenant].photos_bucket

    async def keys(self, prefix: str = "renditions/", tenant: str = "kicks") -> set[str]:
        """Every object under `prefix` in the tenant's bucket (with the gateway's
        credentials: anonymous readers may not list)."""
        found: set[str] = set()
        pages = self.s3.get_paginator("list_objects_v2")
        async for page in pages.paginate(Bucket=self.bucket(tenant), Prefix=prefix):
            found.update(item["Key"] for item in page.get("Contents", []))
        return found


@pytest.fixture
async def rig(ddb: Any, settings: Settings, s3_endpoint: str) -> AsyncIterator[PhotoRig]:
    photos = open_photos_gateway(ddb, settings, s3_endpoint, origins=True)
    async with photos as (gw, s3, with_s3):
        yield PhotoRig(gw, s3, with_s3, ddb)
