"""The hand-written Lambda handler for the README's product page, on the same envelope
as the gateway's (API Gateway HTTP API, payload 2.0): read the event, check the key,
1 Query + 1 BatchGetItem with ProjectionExpression, answer the same JSON.

Like the gateway's handler it keeps one event loop and one aioboto3 client per execution
environment (built on the first invocation) and runs each invocation on that loop. Its
client is the gateway's `open_dynamodb` (same settings, stock botocore parsing), or with
BENCH_HANDWRITTEN_CLIENT=aioboto3 a client made with aioboto3 alone
(bench/baselines/plain_client.py): the cold-start benchmark's floor, which imports no
gateway module at all; with BENCH_HANDWRITTEN_CLIENT=item-parser, the gateway's client
with its item-read parser (graph/store/parser.py), as `python -m bench.profile --layers`
compares.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from contextlib import AsyncExitStack
from typing import Any

from bench.baselines.endpoint import BadRequest, EndpointConfig, answer, dynamodb_client
from bench.baselines.plain_client import plain_dynamodb_client


class _Environment:
    def __init__(self) -> None:
        self.config = EndpointConfig.from_env()
        self.loop = asyncio.new_event_loop()
        self.stack = AsyncExitStack()
        kind = os.environ.get("BENCH_HANDWRITTEN_CLIENT")
        opened = (
            plain_dynamodb_client()
            if kind == "aioboto3"
            else dynamodb_client(item_parser=kind == "item-parser")
        )
        self.client: Any = self.loop.run_until_complete(self.stack.enter_async_context(opened))

    def close(self) -> None:
        self.loop.run_until_complete(self.stack.aclose())
        self.loop.close()


_environment: _Environment | None = None


def _response(status: int, body: bytes | str) -> dict[str, Any]:
    text = body.decode() if isinstance(body, bytes) else body
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": text,
        "isBase64Encoded": False,
    }


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    global _environment
    if _environment is None:
        _environment = _Environment()
    env = _environment
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if not env.config.authorised(headers.get("x-api-key")):
        return _response(401, '{"error": "unauthorised"}')
    raw = event.get("body") or ""
    try:
        if event.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode()
        payload = json.loads(raw)
        body = env.loop.run_until_complete(answer(env.client, env.config, payload, project=True))
    except (ValueError, BadRequest) as exc:
        return _response(400, json.dumps({"error": str(exc)}))
    return _response(200, body)


def close() -> None:
    """Close the environment's client and loop (end of a benchmark child)."""
    global _environment
    if _environment is not None:
        _environment.close()
        _environment = None
