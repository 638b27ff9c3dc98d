"""The audit consumer on DynamoDB Streams batches -> history entries, with partial batch
failures (`{"batchItemFailures": [...]}`). Built once per execution environment, on the
first invocation: settings (no cursor secret: graph/lambdas/bootstrap.py), the narrowed
registry, the AuditConsumer."""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from graph.audit.consumer import AuditConsumer
from graph.lambdas import bootstrap
from graph.observability import logger
from graph.registry.tenants import Registry
from graph.settings import Settings

_build_lock = threading.Lock()
_consumer: AuditConsumer | None = None


def configure_audit(
    settings: Settings | None = None, registry: Registry | None = None
) -> AuditConsumer:
    """Build the audit consumer and make it this environment's cached one (tests pass
    their own settings and registry). Closes a previous one."""
    global _consumer
    with _build_lock:
        if _consumer is not None:
            _consumer.close()
            _consumer = None
        _consumer = _build_consumer(settings, registry)
        return _consumer


def _build_consumer(settings: Settings | None, registry: Registry | None) -> AuditConsumer:
    env = bootstrap.LambdaEnvironment()
    settings = settings or bootstrap.audit_settings(env)
    registry = registry or bootstrap.lambda_registry(settings, env)
    logger.info(
        "audit cold start",
        extra={"stage": settings.stage, "tenants": sorted(registry.tenants)},
    )
    return AuditConsumer(settings, registry)


def audit_consumer() -> AuditConsumer:
    """The execution environment's audit consumer, built on first use."""
    global _consumer
    built = _consumer
    if built is not None:
        return built
    with _build_lock:
        if _consumer is None:
            _consumer = _build_consumer(None, None)
        return _consumer


def reset_audit() -> None:
    """Close and forget the cached consumer (tests; a new "environment")."""
    global _consumer
    with _build_lock:
        if _consumer is not None:
            _consumer.close()
            _consumer = None


@logger.inject_lambda_context
def audit_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """DynamoDB Streams batch -> history entries; `{"batchItemFailures": [...]}`."""
    return audit_consumer().handle(event, context)
