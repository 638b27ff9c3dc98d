"""Every value an extension file declares, checked when the file loads.

pydantic (spec.py) checks the file's shape; this module checks what the shape holds:
each `default` against its field's type, bounds, pattern, enum values and JSON Schema;
each `json_schema` against the JSON Schema meta-schema; field names that would collide
once converted to GraphQL (`size_2` and `size2` are both `size2`) or that the gateway
reserves; and the GraphQL type names the fields produce. A declaration that passes here
cannot fail a request later.

Each problem names its path in the file (`listing.fields.size.default`) and how to fix it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graph.bounds import CONDITION_FACET, INDEXES_PER_FIELD, MAX_GSIS, MAX_INDEXED_FIELDS
from graph.domain import UserError
from graph.extensions.spec import RESERVED, ExtensionSpec, FieldSpec, Problem, camel, pascal
from graph.extensions.values import check_length, check_value

#: Types every entity's extension declares itself (graph/extensions/graphql.py).
_FIXED_TYPES = ("Custom", "CustomCreateInput", "CustomUpdateInput", "Where")
_EXAMPLES = {
    "String": 'a string in quotes, e.g. "black"',
    "Int": "a whole number, e.g. 10",
    "Float": "a number, e.g. 10.5",
    "Decimal": 'a number or a numeric string, e.g. 10.5 or "10.50"',
    "Boolean": "true or false",
    "DateTime": 'an ISO 8601 date-time with a time zone, e.g. "2024-05-01T00:00:00Z"',
    "enum": "one of `values`",
    "list": "a list, e.g. []",
    "object": "a table/mapping of its `fields`",
    "JSON": "any JSON value",
}


def declaration_problems(spec: ExtensionSpec) -> list[Problem]:
    problems: list[Problem] = index_problems(spec)
    for entity in ("listing", "seller"):
        fields = getattr(spec, entity).fields
        problems += name_problems(fields, f"{entity}.fields")
        problems += type_name_problems(fields, f"{entity}.fields", entity.title())
        for name, field in fields.items():
            problems += field_problems(field, f"{entity}.fields.{name}")
    return problems


def index_problems(spec: ExtensionSpec) -> list[Problem]:
    """`indexed` only on listing fields, not on a name the shop's counts use, and no more
    than the listings table's 20 global secondary indexes hold."""
    problems = [
        Problem(f"seller.fields.{name}.indexed", "only listing fields can be `indexed`")
        for name, field in spec.seller.fields.items()
        if field.indexed
    ]
    indexed = [name for name, field in spec.listing.fields.items() if field.indexed]
    if CONDITION_FACET in indexed:
        problems.append(
            Problem(
                f"listing.fields.{CONDITION_FACET}.indexed",
                f"`{CONDITION_FACET}` is the shop's own facet; rename the field to index it",
            )
        )
    if len(indexed) > MAX_INDEXED_FIELDS:
        problems.append(
            Problem(
                "listing.fields",
                f"{len(indexed)} fields are `indexed` ({', '.join(indexed)}); each takes "
                f"{INDEXES_PER_FIELD} global secondary indexes and DynamoDB allows {MAX_GSIS} "
                f"per table, so at most {MAX_INDEXED_FIELDS} can be: drop `indexed` from "
                f"{len(indexed) - MAX_INDEXED_FIELDS} of them",
            )
        )
    return problems


def name_problems(fields: Iterable[str], path: str) -> list[Problem]:
    """Names that collide in GraphQL (camelCase) or shadow the gateway's own."""
    problems = []
    seen: dict[str, str] = {}
    for name in fields:
        shown = camel(name)
        if shown in seen:
            problems.append(
                Problem(
                    f"{path}.{name}",
                    f"`{name}` and `{seen[shown]}` are both `{shown}` in GraphQL; "
                    "rename one of them",
                )
            )
        elif shown in RESERVED:
            problems.append(
                Problem(
                    f"{path}.{name}",
                    (f"`{name}` is `{shown}` in GraphQL, " if shown != name else f"`{name}` is ")
                    + "a name the gateway reserves "
                    f"({', '.join(sorted(RESERVED))}); rename the field",
                )
            )
        seen.setdefault(shown, name)
    return problems


def type_name_problems(
    fields: Mapping[str, FieldSpec], path: str, owner: str = ""
) -> list[Problem]:
    """Two declarations that would make GraphQL types of the same name (`shoe` of type
    object makes `...ShoeInput`, and so would an enum named `shoe_input`)."""

    owners: dict[str, str] = {f"{owner}{name}": "the gateway" for name in _FIXED_TYPES}
    problems = []

    def claim(type_name: str, where: str) -> None:
        other = owners.setdefault(type_name, where)
        if other != where:
            problems.append(
                Problem(
                    where,
                    f"makes the GraphQL type `<Tenant>{type_name}`, as {other} does; "
                    "rename the field",
                )
            )

    def walk(owner: str, name: str, field: FieldSpec, where: str, top: bool) -> None:
        type_name = f"{owner}{pascal(name)}"
        if field.type == "enum":
            claim(type_name, where)
            if top and field.filterable:
                claim(f"{type_name}Filter", where)
        elif field.type == "list" and field.items is not None:
            walk(owner, name, field.items, where, top=False)
        elif field.type == "object":
            claim(type_name, where)
            claim(f"{type_name}Input", where)
            for sub_name, sub in field.fields.items():
                walk(type_name, sub_name, sub, f"{where}.fields.{sub_name}", top=False)

    for name, field in fields.items():
        walk(owner, name, field, f"{path}.{name}", top=True)
    return problems


def field_problems(field: FieldSpec, path: str) -> list[Problem]:
    problems = []
    if field.json_schema is not None:
        import jsonschema  # ~0.1 s to import: only for tenants that declare a JSON Schema

        try:
            jsonschema.validators.validator_for(field.json_schema).check_schema(field.json_schema)
        except jsonschema.SchemaError as exc:
            problems.append(
                Problem(
                    f"{path}.json_schema",
                    f"is not a valid JSON Schema: {exc.message} "
                    "(see https://json-schema.org/understanding-json-schema/)",
                )
            )
    if field.default is not None and not problems:
        problems += value_problems(field, field.default, f"{path}.default")
    if field.items is not None:
        if field.items.default is not None:
            problems.append(
                Problem(
                    f"{path}.items.default",
                    "list items have no default; set `default` on the list itself",
                )
            )
        problems += field_problems(field.items, f"{path}.items")
    if field.fields:
        problems += name_problems(field.fields, f"{path}.fields")
        for name, sub in field.fields.items():
            problems += field_problems(sub, f"{path}.fields.{name}")
    return problems


def _shown(value: Any) -> str:
    return json.dumps(value, default=str) if not isinstance(value, str) else repr(value)


def _as_input(field: FieldSpec, value: Any) -> tuple[Any, bool]:
    """The declared value as a client would send it, and whether it has the right type."""
    kind = field.type
    if isinstance(value, bool):
        return value, kind in {"Boolean", "JSON"}
    if kind == "Boolean":
        return value, False  # a bool returned above
    if kind == "Int":
        return value, isinstance(value, int)
    if kind == "Float":
        return value, isinstance(value, int | float)
    if kind == "Decimal":
        if isinstance(value, int | float):
            return value, True
        if isinstance(value, str):
            try:
                return Decimal(value), True
            except InvalidOperation:
                return value, False
        return value, False
    if kind == "DateTime":
        if isinstance(value, datetime):
            return value, True
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value), True
            except ValueError:
                return value, False
        return value, False
    if kind in {"String", "enum"}:
        return value, isinstance(value, str)
    if kind == "list":
        return value, isinstance(value, list)
    if kind == "object":
        return value, isinstance(value, dict)
    try:  # JSON
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return value, False
    return value, True


def value_problems(field: FieldSpec, value: Any, path: str) -> list[Problem]:
    """Problems of one declared value (a default, or part of one) under `field`."""
    value, typed = _as_input(field, value)
    if not typed:
        return [
            Problem(
                path,
                f"{_shown(value)} is not a valid {field.type} value; write "
                f"{_EXAMPLES[field.type]}, or remove it",
            )
        ]
    if field.type == "enum":
        if value in field.values:
            return []
        return [
            Problem(
                path,
                f"{value!r} is not among `values` ({', '.join(field.values)}); use one of "
                "them or add it to `values`",
            )
        ]
    errors: list[UserError] = []
    if field.type == "list" and field.items is not None:
        problems = []
        for n, item in enumerate(value):
            problems += value_problems(field.items, item, f"{path}.{n}")
        check_length(field, len(value), (), errors)
        return problems + _broken_rules(value, path, errors)
    if field.type == "object":
        problems = []
        for name in sorted(set(value) - set(field.fields)):
            problems.append(
                Problem(
                    f"{path}.{name}",
                    f"`{name}` is not one of the object's fields "
                    f"({', '.join(field.fields)}); remove it",
                )
            )
        for name, sub in field.fields.items():
            if value.get(name) is None:
                if sub.required:
                    problems.append(
                        Problem(f"{path}.{name}", f"`{name}` is required; give it a value")
                    )
                continue
            problems += value_problems(sub, value[name], f"{path}.{name}")
        return problems
    check_value(field, value, (), errors)
    return _broken_rules(value, path, errors)


def _broken_rules(value: Any, path: str, errors: list[UserError]) -> list[Problem]:
    return [
        Problem(
            ".".join((path, *error.field)),
            f"{_shown(value)} breaks the field's own rule: {error.message.rstrip('.')}; "
            "change the value or the rule (min/max, min_length/max_length, pattern, "
            "json_schema)",
        )
        for error in errors
    ]
