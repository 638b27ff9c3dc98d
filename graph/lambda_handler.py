"""AWS Lambda entry points: the stable handler paths Terraform names
(infra/terraform/modules/tenant-account/lambda.tf). Both functions run the same zip
(`make package` -> dist/lambda.zip):

  graph.lambda_handler.gateway_handler   API Gateway HTTP API (payload 2.0) or REST API
                                         (payload 1.0) events, through Mangum
  graph.lambda_handler.audit_handler     DynamoDB Streams batches -> history entries

The code lives in graph/lambdas/: bootstrap.py (settings, the cursor secret by ARN, the
registry narrowed to this account's tenant), gateway.py and audit.py. This module only
names them; importing it builds nothing (the first invocation does).
"""

from __future__ import annotations

from graph.lambdas.audit import audit_consumer, audit_handler, configure_audit, reset_audit
from graph.lambdas.bootstrap import (
    LambdaEnvironment,
    audit_settings,
    fetch_cursor_secret,
    gateway_settings,
    lambda_registry,
    secret_source,
)
from graph.lambdas.gateway import (
    Gateway,
    configure_gateway,
    gateway,
    gateway_handler,
    reset_gateway,
)

__all__ = [
    "Gateway",
    "LambdaEnvironment",
    "audit_consumer",
    "audit_handler",
    "audit_settings",
    "configure_audit",
    "configure_gateway",
    "fetch_cursor_secret",
    "gateway",
    "gateway_handler",
    "gateway_settings",
    "lambda_registry",
    "reset",
    "secret_source",
]


def reset() -> None:
    """Close and forget the cached gateway and consumer (tests; a new "environment")."""
    reset_gateway()
    reset_audit()
