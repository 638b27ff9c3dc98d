"""SDL export and the breaking-change check of a tenant's schema.

`graph schema export --tenant kicks` writes `schemas/kicks.graphql` (kept in the repo);
`graph extensions check kicks` compares the current schema with it and lists every
breaking change: a field removed without a prior deprecation, a type changed, an
optional input made required, an enum value removed, ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import strawberry
from graphql import (
    BreakingChangeType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
)

_COORDINATE = re.compile(r"\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b")
SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"


def sdl(schema: strawberry.Schema) -> str:
    return str(schema).rstrip() + "\n"


def sdl_path(tenant_id: str, folder: Path = SCHEMAS_DIR) -> Path:
    return folder / f"{tenant_id}.graphql"


@dataclass(frozen=True)
class Breaking:
    kind: str
    description: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.description}"


def _deprecated(old: GraphQLSchema, description: str) -> bool:
    """Was the removed field (`Type.field was removed.`) deprecated in the old schema?"""
    found = _COORDINATE.search(description)
    if found is None:
        return False
    type_name, field_name = found.groups()
    kind = old.type_map.get(type_name)
    if isinstance(kind, GraphQLObjectType | GraphQLInputObjectType) and field_name in kind.fields:
        return kind.fields[field_name].deprecation_reason is not None
    return False


def breaking_changes(old_sdl: str, new: strawberry.Schema) -> list[Breaking]:
    old = build_schema(old_sdl)
    current = build_schema(sdl(new))
    found = []
    for change in find_breaking_changes(old, current):
        if change.type == BreakingChangeType.FIELD_REMOVED and _deprecated(old, change.description):
            continue  # removal after a deprecation period is allowed
        found.append(Breaking(change.type.name, change.description))
    return found
