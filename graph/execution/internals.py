"""The one read of a Strawberry internal that has no public accessor."""

from __future__ import annotations

import strawberry
from graphql import GraphQLSchema


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built (`schema._schema`; no public accessor)."""
    built: GraphQLSchema = schema._schema
    return built
