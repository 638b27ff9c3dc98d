"""Constructors of the tenant's custom types and fields: Strawberry's public API only.

`strawberry.type` / `strawberry.input` on classes made with `type(...)`, fields made with
`strawberry.field(resolver=..., graphql_type=...)`, and the resolvers of declared and
computed custom fields. graph/tenant_schema/custom_types.py decides what to make.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from graph.extensions.api import ComputedSpec, restricted
from graph.extensions.graphql import ENTITIES, CustomValues, extension_context
from graph.extensions.modules import call

SCALARS: dict[str, Any] = {
    "String": str,
    "Int": int,
    "Float": float,
    "Boolean": bool,
    "Decimal": Decimal,
    "DateTime": datetime,
    "JSON": JSON,
}
#: Metadata key of an input field: the name its value is stored under (snake_case).
KEY = "key"


def python_name(name: str) -> str:
    """An attribute name for a declared field (`class` -> `class_`); GraphQL never sees it."""
    return f"{name}_" if keyword.iskeyword(name) else name


def required(kind: Any, is_required: bool) -> Any:
    """`kind` (non-null in GraphQL) when required, else `Optional[kind]`."""
    return kind if is_required else Optional[kind]  # noqa: UP045 (a runtime type expression)


def annotated(description: str | None, *notes: str) -> str | None:
    """The field's own description, then what the docs explorer should tell about it, in
    the same paragraph (GraphiQL's type page shows only a field's first paragraph)."""
    tail = " ".join(f"_{note}_" for note in notes)
    if not tail:
        return description
    return f"{description} {tail}" if description else tail


def object_type(
    name: str,
    fields: Mapping[str, StrawberryField],
    description: str | None,
    annotations: Mapping[str, Any] | None = None,
) -> Any:
    """An object type; `annotations` type the fields without a resolver (plain fields,
    read from the source object by their attribute name)."""
    namespace: dict[str, Any] = {"__annotations__": dict(annotations or {}), **fields}
    return strawberry.type(type(name, (), namespace), name=name, description=description)


def declared_attribute(name: str) -> str:
    """The attribute a declared custom field is read from on `CustomValues` (never one of
    its own attributes, whatever the field is called)."""
    return f"f_{name}"


def input_type(
    name: str, fields: Mapping[str, tuple[Any, StrawberryField]], description: str | None = None
) -> Any:
    namespace: dict[str, Any] = {"__annotations__": {k: kind for k, (kind, _) in fields.items()}}
    namespace.update({k: f for k, (_, f) in fields.items()})
    return strawberry.input(type(name, (), namespace), name=name, description=description)


def input_field(
    kind: Any,
    name: str,
    *,
    key: str | None = None,
    description: str | None = None,
    deprecation_reason: str | None = None,
) -> tuple[Any, StrawberryField]:
    made: StrawberryField = strawberry.field(
        name=name,
        description=description,
        deprecation_reason=deprecation_reason,
        default=strawberry.UNSET,
        metadata={KEY: key or name},
    )
    return kind, made


def item_resolver(key: str) -> Callable[..., Any]:
    def resolve(root: Mapping[str, Any]) -> Any:
        return root.get(key)

    return resolve


def computed_resolver(spec: ComputedSpec) -> Callable[..., Any]:
    # The function sees only the custom fields it declared: its derived visibility
    # (graph/extensions/computed.py) then holds for what it can actually read.
    reads = {entity: spec.reads_of(entity) for entity in ENTITIES}
    own = reads[spec.entity]

    async def resolve(root: CustomValues, info: Info) -> Any:
        item = restricted(root.item, own)
        return await call(spec.fn, item, extension_context(info.context, reads))

    return resolve
