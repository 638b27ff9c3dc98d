"""The one long-lived aioboto3 DynamoDB client of a process."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aioboto3
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from graph.settings import Settings
from graph.store.management import Management
from graph.store.parser import register_item_parser
from graph.store.photos import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY
from graph.store.user_agent import build_user_agent_once

#: The DynamoDB data files a client's creation reads through the session's loader, with
#: the arguments botocore passes (its loader caches by them): service model and endpoint
#: rules, then plain data files (endpoints, partitions, defaults).
_CLIENT_DATA = (("dynamodb", "service-2"), ("dynamodb", "endpoint-rule-set-1"))
_SESSION_DATA = ("endpoints", "partitions", "sdk-default-configuration")
#: A session `prime_dynamodb_session` made (SnapStart's init): taken by the first
#: `open_dynamodb` that makes its own session.
_primed: AioSession | None = None


def prime_dynamodb_session() -> None:
    """Before SnapStart's snapshot: a botocore session with the item parser, whose loader
    has read what creating a DynamoDB client reads from botocore's data files (model,
    endpoint rules, endpoints, partitions, defaults: ~35 ms of CPU and a scan of its ~400
    service folders). It holds package data only: no client is created, so no
    credentials are resolved and nothing is connected; the first client made after the
    restore uses it."""
    global _primed
    session = register_item_parser(AioSession())
    loader = session.get_component("data_loader")
    for service, kind in _CLIENT_DATA:
        loader.load_service_model(service, kind, api_version=None)
    for name in _SESSION_DATA:
        loader.load_data(name)
    _primed = session


def _own_session(item_parser: bool) -> AioSession:
    global _primed
    if not item_parser:
        return AioSession()
    primed, _primed = _primed, None
    return primed if primed is not None else register_item_parser(AioSession())


def client_config(settings: Settings, *, parameter_validation: bool = True) -> AioConfig:
    # `standard` retries with jittered backoff; the legacy default waits ~25 s under
    # throttling without jitter (see FIELD-NOTES.md).
    return AioConfig(
        retries={"mode": "standard", "total_max_attempts": settings.dynamodb_max_attempts},
        connect_timeout=settings.dynamodb_connect_timeout,
        read_timeout=settings.dynamodb_read_timeout,
        max_pool_connections=settings.dynamodb_max_pool_connections,
        tcp_keepalive=True,
        parameter_validation=parameter_validation,
    )


def client_kwargs(
    settings: Settings, region: str | None = None, *, parameter_validation: bool = True
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "region_name": region or settings.region,
        "config": client_config(settings, parameter_validation=parameter_validation),
    }
    if settings.dynamodb_endpoint:
        kwargs["endpoint_url"] = settings.dynamodb_endpoint
        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            # DynamoDB Local needs credentials of some shape but never checks them.
            kwargs["aws_access_key_id"] = "local"
            kwargs["aws_secret_access_key"] = "local"
    return kwargs


@asynccontextmanager
async def open_dynamodb(
    settings: Settings,
    *,
    region: str | None = None,
    session: aioboto3.Session | None = None,
    item_parser: bool = True,
    lean: bool = False,
) -> AsyncIterator[Any]:
    """Yield a DynamoDB client; close it on exit. Create one per process (and, for
    tenants in their own AWS accounts, one per tenant account), never per request.

    `session` carries a tenant's assumed-role credentials; without it (a new session, or
    the one `prime_dynamodb_session` prepared) the default credential chain is used (or
    dummy credentials for a local endpoint), and item reads are parsed by
    graph/store/parser.py unless `item_parser` is false (stock botocore: the
    benchmark's hand-written baseline). A session made elsewhere gets that parser
    only if `register_item_parser` was applied to it (assumed-role sessions are).

    `lean=True` is for a client whose requests the gateway alone builds from values it
    encoded itself (the runtime's store client, the audit consumer's history puts): it
    skips botocore's client-side check of every request against the service model
    (DynamoDB still validates each request, and a malformed one fails as a ClientError)
    and builds the User-Agent header once per feature set (graph/store/user_agent.py).
    """
    kwargs = client_kwargs(settings, region, parameter_validation=not lean)
    if session is not None:
        kwargs.pop("aws_access_key_id", None)
        kwargs.pop("aws_secret_access_key", None)
    if session is None:
        session = aioboto3.Session(botocore_session=_own_session(item_parser))
    async with session.client("dynamodb", **kwargs) as client:
        if lean:
            build_user_agent_once(client)
        yield client


@asynccontextmanager
async def open_streams(settings: Settings) -> AsyncIterator[Any]:
    """A DynamoDB Streams client (the local stream runner reads the streams with it)."""
    async with aioboto3.Session().client("dynamodbstreams", **client_kwargs(settings)) as client:
        yield client


@asynccontextmanager
async def open_management(endpoint: str, region: str) -> AsyncIterator[Management]:
    """The API Gateway Management API of one WebSocket stage endpoint (posting to
    connections, closing them): one per endpoint and process, like the DynamoDB client."""
    config = AioConfig(retries={"mode": "standard", "max_attempts": 3})
    session = aioboto3.Session()
    async with session.client(
        "apigatewaymanagementapi", endpoint_url=endpoint, region_name=region, config=config
    ) as client:
        yield Management(client)


@asynccontextmanager
async def open_s3(settings: Settings, *, region: str | None = None) -> AsyncIterator[Any]:
    """The process's one S3 client (listing photos): path-style addressing and SigV4,
    so presigned POST forms work against AWS and the local S3 server alike. With
    `GRAPH_S3_ENDPOINT` and no AWS credentials in the environment, the local server's
    fixed credentials are used (graph/local/s3_local.py configures the same pair)."""
    kwargs: dict[str, Any] = {
        "region_name": region or settings.region,
        "config": AioConfig(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"mode": "standard", "total_max_attempts": 3},
            connect_timeout=settings.dynamodb_connect_timeout,
            read_timeout=10.0,
            max_pool_connections=settings.dynamodb_max_pool_connections,
        ),
    }
    if settings.s3_endpoint:
        kwargs["endpoint_url"] = settings.s3_endpoint
        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            kwargs["aws_access_key_id"] = LOCAL_ACCESS_KEY
            kwargs["aws_secret_access_key"] = LOCAL_SECRET_KEY
    async with aioboto3.Session().client("s3", **kwargs) as client:
        yield client
