"""A tenant onboarded while a dev gateway runs can upload photos at its first request
(issue 27): onboarding with the local S3 server's client creates the tenant's bucket,
its CORS and its read policy before the registry entry the gateway reloads exists."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.registry.onboarding import offboard, onboard
from graph.registry.tenants import load_registry
from graph.settings import Settings
from graph.store import open_s3
from graph.tenancy.runtime import Runtime
from tests.registry.test_onboarding import isolated_settings
from tests.schema.photo_kit import STAGE, png, post_form


@pytest.fixture
async def dev_gateway(
    ddb: Any, settings: Settings, s3_endpoint: str, tmp_path: Path
) -> AsyncIterator[tuple[Settings, Any, httpx.AsyncClient]]:
    """A dev-stage gateway that re-reads its registry at each request, as `graph dev`'s
    does, started before any tenant is onboarded."""
    conf = isolated_settings(settings, tmp_path).model_copy(
        update={"stage": "dev", "s3_endpoint": s3_endpoint, "metrics": False}
    )
    async with open_s3(conf) as s3:
        runtime = Runtime(conf, load_registry(conf.tenants_dir, "dev"), client=ddb, s3=s3)
        app = create_app(runtime=runtime, manage_client=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            try:
                yield conf, s3, http
            finally:
                await runtime.aclose()


async def staged_post(http: httpx.AsyncClient, write_key: str) -> tuple[str, httpx.Response]:
    data = png((320, 240))
    answer = await http.post(
        "/graphql",
        json={
            "query": STAGE,
            "variables": {"input": [{"contentType": "image/png", "byteSize": len(data)}]},
        },
        headers={"X-Api-Key": write_key},
    )
    staged = answer.json()["data"]["stagePhotoUploads"]
    assert staged["userErrors"] == [], staged
    form = staged["uploads"][0]
    return str(form["uploadId"]), await post_form(form, data, "image/png")


def write_key(keys: dict[str, str]) -> str:
    return next(raw for key_id, raw in keys.items() if "-write-" in key_id)


async def test_a_tenant_onboarded_while_dev_runs_uploads_at_its_first_request(
    ddb: Any, dev_gateway: tuple[Settings, Any, httpx.AsyncClient]
) -> None:
    conf, s3, http = dev_gateway
    tenant_id = f"acme-{uuid.uuid4().hex[:6]}"
    origin = "https://shop.acme.example"
    lines: list[str] = []
    result = await onboard(
        ddb, conf, tenant_id, name="Acme", origins=(origin,), say=lines.append, s3=s3
    )
    try:
        assert result.bucket == "created"
        assert any("photo bucket" in line for line in lines)
        bucket = load_registry(conf.tenants_dir, "dev").tenants[tenant_id].photos_bucket

        upload_id, posted = await staged_post(http, write_key(result.new_keys))

        assert posted.status_code in (200, 201, 204), posted.text
        head = await s3.head_object(Bucket=bucket, Key=f"staging/{upload_id}")
        assert head["ContentType"] == "image/png"
        cors = await s3.get_bucket_cors(Bucket=bucket)
        assert [rule["AllowedOrigins"] for rule in cors["CORSRules"]] == [[origin]]
        async with httpx.AsyncClient() as anonymous:  # the staged file is not public
            peek = await anonymous.get(f"{conf.s3_endpoint}/{bucket}/staging/{upload_id}")
        assert peek.status_code == 403

        again = await onboard(ddb, conf, tenant_id, name="Acme", say=lambda _: None, s3=s3)
        assert again.bucket == "exists"
        assert not again.changed
    finally:
        await offboard(ddb, conf, tenant_id, backup=False, say=lambda _: None)


async def test_without_the_s3_client_the_first_upload_finds_no_bucket(
    ddb: Any, dev_gateway: tuple[Settings, Any, httpx.AsyncClient]
) -> None:
    """What onboarding did before it created buckets: the form is signed, the POST fails."""
    conf, _, http = dev_gateway
    tenant_id = f"bare-{uuid.uuid4().hex[:6]}"
    result = await onboard(ddb, conf, tenant_id, name="Bare", say=lambda _: None)
    try:
        assert result.bucket is None
        _, posted = await staged_post(http, write_key(result.new_keys))
        assert posted.status_code == 404
        assert "NoSuchBucket" in posted.text
    finally:
        await offboard(ddb, conf, tenant_id, backup=False, say=lambda _: None)
