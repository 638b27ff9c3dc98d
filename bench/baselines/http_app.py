"""The hand-written HTTP endpoint for the README's product page: Starlette + aioboto3,
served exactly like the gateway (`uvicorn bench.baselines.http_app:create_app --factory`,
one worker, same flags; bench/harness/env.py).

    POST /graphql                 1 Query + 1 BatchGetItem with ProjectionExpression
    POST /graphql/no-projection   the same, reading whole items
    POST /graphql/item-parser     /graphql on a client with the gateway's item-read
                                  parser (graph/store/parser.py) instead of botocore's
    GET  /healthz

It reads the same POST body as the gateway (`{"query", "variables"}`), checks the API
key, and answers the same JSON (bench/baselines/handwritten.py); the query text is not
parsed: this endpoint answers one operation.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.baselines.endpoint import BadRequest, EndpointConfig, answer, dynamodb_client


def create_app() -> Starlette:
    config = EndpointConfig.from_env()
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            state["client"] = await stack.enter_async_context(dynamodb_client())
            state["item-parser"] = await stack.enter_async_context(
                dynamodb_client(item_parser=True)
            )
            yield

    async def page(request: Request, *, project: bool, client: str = "client") -> Response:
        if not config.authorised(request.headers.get("x-api-key")):
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        try:
            payload = json.loads(await request.body())
            body = await answer(state[client], config, payload, project=project)
        except (ValueError, BadRequest) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return Response(body, media_type="application/json")

    async def projected(request: Request) -> Response:
        return await page(request, project=True)

    async def whole_items(request: Request) -> Response:
        return await page(request, project=False)

    async def item_parser(request: Request) -> Response:
        return await page(request, project=True, client="item-parser")

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/graphql", projected, methods=["POST"]),
            Route("/graphql/no-projection", whole_items, methods=["POST"]),
            Route("/graphql/item-parser", item_parser, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
