"""Schemas: the base schema, built once per tenant and cached."""

from __future__ import annotations

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from graph.schema.error_codes import ErrorCodes
from graph.schema.mutations import Mutation
from graph.schema.query import Query


def build_schema(*, extensions: list[type[SchemaExtension]] | None = None) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[*(extensions or []), ErrorCodes],
        config=StrawberryConfig(auto_camel_case=True),
    )


__all__ = ["build_schema"]
