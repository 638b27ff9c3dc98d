"""Schemas: the base schema, built once per tenant and cached."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from graph.schema.error_codes import ErrorCodes
from graph.schema.mutations import Mutation
from graph.schema.query import Query
from graph.schema.scalars import scalar_overrides
from graph.schema.subscriptions import Subscription, SubscriptionsOverWebSocket


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        # Strawberry would log every error with a traceback, so clients could flood the
        # log with their own mistakes; ErrorCodes logs the unexpected ones only.
        return None


def build_schema(
    *,
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] | None = None,
) -> strawberry.Schema:
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[*(extensions or []), SubscriptionsOverWebSocket, ErrorCodes],
        scalar_overrides=scalar_overrides(),
        config=StrawberryConfig(auto_camel_case=True),
    )


__all__ = ["build_schema"]
