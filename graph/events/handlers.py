"""AWS Lambda entry points of live subscriptions (infra/terraform websocket.tf, fanout.tf):

    graph.events.handlers.websocket_handler   API Gateway WebSocket $connect, $disconnect
                                              and $default events (websocket_api.py)
    graph.events.handlers.fanout_handler      listings stream batches (fanout.py)

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

import aioboto3
from botocore.config import Config

from graph.events.fanout import FanOut
from graph.events.management import Management, management_endpoint
from graph.events.websocket_api import WebSocketApi
from graph.runtime import Runtime
from graph.settings import Settings
from graph.store import ConnectionStore, open_dynamodb


@dataclass
class Environment:
    loop: asyncio.AbstractEventLoop
    runtime: Runtime
    connections: ConnectionStore
    exit: AsyncExitStack
    managements: dict[str, Management]

    async def management(self, endpoint: str) -> Management:
        if endpoint not in self.managements:
            session = aioboto3.Session()
            client = await self.exit.enter_async_context(
                session.client(
                    "apigatewaymanagementapi",
                    endpoint_url=endpoint,
                    region_name=self.runtime.settings.region,
                    config=Config(retries={"mode": "standard", "max_attempts": 3}),
                )
            )
            self.managements[endpoint] = Management(client)
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


def fanout_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    env = environment()

    async def run() -> dict[str, Any]:
        (tenant,) = env.runtime.registry.tenants.values()
        management = await env.management(os.environ["GRAPH_WEBSOCKET_MANAGEMENT_URL"])
        return await FanOut(env.runtime, tenant, env.connections, management).handle(event)

    return env.loop.run_until_complete(run())


def reset() -> None:
    """Forget the execution environment (tests): close its clients and its loop."""
    global _environment
    with _lock:
        env, _environment = _environment, None
    if env is not None:
        env.loop.run_until_complete(env.exit.aclose())
        env.loop.close()
