"""Schemas: the base types, and each tenant's schema built with its custom types in them
(graph/schema/build.py)."""

from __future__ import annotations

from graph.schema.build import GatewaySchema, build_schema

__all__ = ["GatewaySchema", "build_schema"]
