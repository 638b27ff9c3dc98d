"""The AWS Lambda entry point of the fan-out function (infra/terraform fanout.tf):
`graph.lambdas.fanout.fanout_handler` posts each batch of the listings stream's changes
to the tenant's open WebSocket subscriptions (graph/subscriptions/fanout.py), on the same
kind of execution environment as the WebSocket function (graph/lambdas/websocket.py)."""

from __future__ import annotations

import os
from typing import Any

from graph.lambdas.websocket import environment
from graph.subscriptions.fanout import FanOut


def fanout_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    env = environment()

    async def run() -> dict[str, Any]:
        (tenant,) = env.runtime.registry.tenants.values()
        management = await env.management(os.environ["GRAPH_WEBSOCKET_MANAGEMENT_URL"])
        return await FanOut(env.runtime, tenant, env.connections, management).handle(event)

    return env.loop.run_until_complete(run())
