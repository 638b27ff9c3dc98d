"""The DynamoDB client a team writes by hand in a Lambda handler: `aioboto3.Session()`,
the same retry, timeout and pool settings as the gateway's, read from the same `GRAPH_*`
variables with `os.environ`, and nothing else: no pydantic settings, no gateway modules.

The cold-start benchmark's hand-written handler (bench/baselines/lambda_handler.py with
BENCH_HANDWRITTEN_CLIENT=aioboto3) opens its client here, so its first invocation costs
what a user's would: importing aioboto3 and opening one client.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def plain_dynamodb_client() -> AsyncIterator[Any]:
    import aioboto3
    from aiobotocore.config import AioConfig

    endpoint = os.environ.get("GRAPH_DYNAMODB_ENDPOINT") or None
    kwargs: dict[str, Any] = {
        "region_name": os.environ.get("GRAPH_REGION", "us-east-1"),
        "config": AioConfig(
            retries={
                "mode": "standard",
                "total_max_attempts": int(os.environ.get("GRAPH_DYNAMODB_MAX_ATTEMPTS", "4")),
            },
            connect_timeout=float(os.environ.get("GRAPH_DYNAMODB_CONNECT_TIMEOUT", "1")),
            read_timeout=float(os.environ.get("GRAPH_DYNAMODB_READ_TIMEOUT", "2")),
            max_pool_connections=64,
            tcp_keepalive=True,
        ),
    }
    if endpoint:
        kwargs["endpoint_url"] = endpoint
        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            kwargs["aws_access_key_id"] = kwargs["aws_secret_access_key"] = "local"
    async with aioboto3.Session().client("dynamodb", **kwargs) as client:
        yield client
