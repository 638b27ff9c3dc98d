"""The Lambda envelope: an API Gateway HTTP API (payload 2.0) event, a Lambda context,
and the gateway's handler by its one stable name. Stdlib only (cold-start children
import it before timing).
"""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable
from typing import Any

#: The gateway's Lambda entry point, `module:attribute`. The one place bench names it.
GATEWAY_HANDLER = "graph.lambdas.gateway:gateway_handler"

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def gateway_handler() -> Handler:
    """Import the gateway's Lambda handler (GATEWAY_HANDLER)."""
    module, _, name = GATEWAY_HANDLER.partition(":")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


def http_api_event(
    payload: dict[str, Any], api_key: str, request_id: str = "bench"
) -> dict[str, Any]:
    """POST /graphql with `payload` as JSON, as API Gateway HTTP API hands it to Lambda."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "x-api-key": api_key, "host": "bench"},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "bench",
            "domainName": "bench",
            "http": {
                "method": "POST",
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "bench",
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": 0,
        },
        "body": json.dumps(payload),
        "isBase64Encoded": False,
    }


def response_json(response: dict[str, Any]) -> Any:
    """The JSON body of a Lambda proxy response (base64-decoded when flagged)."""
    body = response["body"]
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body)
    return json.loads(body)


class LambdaContext:
    """The attributes Powertools and Mangum read from the Lambda context."""

    function_name = "resale-graph-bench"
    memory_limit_in_mb = 1024
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
