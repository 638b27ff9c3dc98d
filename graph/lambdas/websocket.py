"""The AWS Lambda entry point of the API Gateway WebSocket API (infra/terraform
websocket.tf): `graph.lambdas.websocket.websocket_handler` answers $connect, $disconnect
and $default events (graph/subscriptions/websocket_api.py). The fan-out function
(graph/lambdas/fanout.py) shares its execution environment's shape, built here.

Built once per execution environment, on the first invocation, on one event loop that
every invocation then runs on (the aiobotocore clients belong to it): settings, the
registry narrowed to this account's tenant (graph.lambdas.bootstrap.lambda_registry), the
Runtime, the connections table (`GRAPH_TABLE_CONNECTIONS`) and a Management API client
(`GRAPH_WEBSOCKET_MANAGEMENT_URL`, or the event's own domain and stage).

These functions sign no cursor a client keeps: a per-environment random cursor secret
is used unless GRAPH_CURSOR_SECRET is set.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from graph.settings import Settings
from graph.store import (
    ConnectionStore,
    Management,
    management_endpoint,
    open_dynamodb,
    open_management,
)
from graph.subscriptions.websocket_api import WebSocketApi
from graph.tenancy.runtime import Runtime


@dataclass
class Environment:
    loop: asyncio.AbstractEventLoop
    runtime: Runtime
    connections: ConnectionStore
    exit: AsyncExitStack
    managements: dict[str, Management]

    async def management(self, endpoint: str) -> Management:
        if endpoint not in self.managements:
            region = self.runtime.settings.region
            self.managements[endpoint] = await self.exit.enter_async_context(
                open_management(endpoint, region)
            )
        return self.managements[endpoint]


_lock = threading.Lock()
_environment: Environment | None = None


def _settings() -> Settings:
    if os.environ.get("GRAPH_CURSOR_SECRET"):
        return Settings()
    return Settings(cursor_secret=secrets.token_urlsafe(32))


async def _build(loop: asyncio.AbstractEventLoop) -> Environment:
    from graph.lambdas.bootstrap import lambda_registry

    settings = _settings()
    exit_stack = AsyncExitStack()
    client = await exit_stack.enter_async_context(open_dynamodb(settings))
    runtime = Runtime(settings, lambda_registry(settings), client=client)
    table = os.environ["GRAPH_TABLE_CONNECTIONS"]
    return Environment(loop, runtime, ConnectionStore(client, table), exit_stack, {})


def environment() -> Environment:
    global _environment
    with _lock:
        if _environment is None:
            loop = asyncio.new_event_loop()
            _environment = loop.run_until_complete(_build(loop))
        return _environment


def websocket_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    env = environment()

    async def run() -> dict[str, Any]:
        request = event["requestContext"]
        endpoint = os.environ.get("GRAPH_WEBSOCKET_MANAGEMENT_URL") or management_endpoint(
            request["domainName"], request["stage"]
        )
        api = WebSocketApi(env.runtime, env.connections, await env.management(endpoint))
        return await api.handle(event)

    return env.loop.run_until_complete(run())


def reset() -> None:
    """Forget the execution environment (tests): close its clients and its loop."""
    global _environment
    with _lock:
        env, _environment = _environment, None
    if env is not None:
        env.loop.run_until_complete(env.exit.aclose())
        env.loop.close()
