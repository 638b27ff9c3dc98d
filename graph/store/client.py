"""The one long-lived aioboto3 DynamoDB client of a process."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aioboto3
from aiobotocore.config import AioConfig

from graph.settings import Settings


def client_config(settings: Settings) -> AioConfig:
    # `standard` retries with jittered backoff; the legacy default waits ~25 s under
    # throttling without jitter (see FIELD-NOTES.md).
    return AioConfig(
        retries={"mode": "standard", "total_max_attempts": settings.dynamodb_max_attempts},
        connect_timeout=settings.dynamodb_connect_timeout,
        read_timeout=settings.dynamodb_read_timeout,
        max_pool_connections=settings.dynamodb_max_pool_connections,
        tcp_keepalive=True,
    )


def client_kwargs(settings: Settings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "region_name": settings.region,
        "config": client_config(settings),
    }
    if settings.dynamodb_endpoint:
        kwargs["endpoint_url"] = settings.dynamodb_endpoint
        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            # DynamoDB Local needs credentials of some shape but never checks them.
            kwargs["aws_access_key_id"] = "local"
            kwargs["aws_secret_access_key"] = "local"
    return kwargs


@asynccontextmanager
async def open_dynamodb(settings: Settings) -> AsyncIterator[Any]:
    """Yield a DynamoDB client; close it on exit. Create one per process."""
    session = aioboto3.Session()
    async with session.client("dynamodb", **client_kwargs(settings)) as client:
        yield client
