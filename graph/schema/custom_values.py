"""Custom input values as the resolvers below the schema take them: keyed by the names
the values are stored under (snake_case), only the fields the client gave.

- `where` arguments arrive as the tenant's Strawberry input objects
  (graph/tenant_schema/custom_types.py): `plain_input` turns them into mappings;
- the `custom` field of a mutation input is a placeholder in the base input type, so its
  value arrives as GraphQL sent it (camelCase keys, already validated against the
  tenant's input type): `stored_names` renames its keys with the tenant's declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from graph.extensions.spec import FieldSpec
from graph.schema.custom_fields import KEY


def plain_input(value: Any) -> Any:
    """A Strawberry input object -> {stored name: value} of the fields given (UNSET
    left out, an explicit null kept); enums -> their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [plain_input(v) for v in value]
    definition = get_object_definition(value)
    if definition is None:
        return value
    out: dict[str, Any] = {}
    for f in definition.fields:
        name = str(f.python_name)
        given = getattr(value, name)
        if given is not strawberry.UNSET:
            out[f.metadata.get(KEY, name)] = plain_input(given)
    return out


def stored_names(fields: Mapping[str, FieldSpec], value: Any) -> Any:
    """Rename the keys of a `custom` input value (`boxIncluded` -> `box_included`),
    nested objects included, and enums to their values; JSON values stay as sent."""
    if not isinstance(value, Mapping):
        return value
    names: dict[str, str] = {to_camel_case(name): name for name in fields}
    out: dict[str, Any] = {}
    for key, given in value.items():
        name = names.get(key) or str(key)
        spec = fields.get(name)
        if spec is not None and spec.type != "JSON":
            given = _declared_value(spec, given)
        out[name] = given
    return out


def _declared_value(spec: FieldSpec, value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if spec.type == "object":
        return stored_names(spec.fields, value)
    if spec.type == "list" and isinstance(value, list) and spec.items is not None:
        return [_declared_value(spec.items, v) for v in value]
    return value
