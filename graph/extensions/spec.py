"""Extension files: a tenant's typed custom fields, validated with pydantic.

`tenants/extensions/<tenant>.toml` (or `.yaml`) declares fields under `listing.fields`
and `seller.fields`:

    [listing.fields.size]
    type = "Decimal"
    description = "US men's size"
    required = true
    min = 3
    max = 18
    filterable = true

Field names are snake_case in the file and camelCase in GraphQL (`box_included` ->
`boxIncluded`); values are stored under the snake_case name in the item's `custom` map.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

FieldType = Literal[
    "String", "Int", "Float", "Boolean", "Decimal", "DateTime", "enum", "list", "object", "JSON"
]
SCALARS = frozenset({"String", "Int", "Float", "Boolean", "Decimal", "DateTime"})
NUMERIC = frozenset({"Int", "Float", "Decimal"})
RANGED = NUMERIC | {"DateTime"}
FIELD_NAME = r"^[a-z][a-z0-9_]{0,47}$"
ENUM_VALUE = r"^[A-Z][A-Z0-9_]{0,47}$"
#: Names the gateway uses itself; a custom field must not shadow them.
RESERVED = frozenset({"id", "custom", "where", "typename"})


class ExtensionError(ValueError):
    """An extension file or module is invalid; the message names file, field, problem."""


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: FieldType
    description: str | None = None
    required: bool = False
    default: Any = None
    deprecation_reason: str | None = None
    visibility: Literal["public", "private"] = "public"
    filterable: bool = False
    # validation
    min: Decimal | None = None
    max: Decimal | None = None
    min_length: Annotated[int, Field(ge=0)] | None = None
    max_length: Annotated[int, Field(ge=1)] | None = None
    pattern: str | None = None
    # shape
    values: tuple[Annotated[str, Field(pattern=ENUM_VALUE)], ...] = ()
    items: FieldSpec | None = None
    fields: dict[Annotated[str, Field(pattern=FIELD_NAME)], FieldSpec] = Field(default_factory=dict)
    json_schema: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        kind = self.type
        if kind == "enum" and not self.values:
            raise ValueError('an enum needs `values`, e.g. values = ["NEW", "USED"]')
        if kind != "enum" and self.values:
            raise ValueError('`values` is only for type = "enum"')
        if kind == "list":
            if self.items is None:
                raise ValueError('a list needs `items`, e.g. items = { type = "String" }')
            if self.items.type not in SCALARS | {"enum"}:
                raise ValueError("list items must be a scalar or an enum")
        elif self.items is not None:
            raise ValueError('`items` is only for type = "list"')
        if kind == "object":
            if not self.fields:
                raise ValueError("an object needs `fields`")
            for name, sub in self.fields.items():
                if sub.type in {"object", "JSON"}:
                    raise ValueError(f"nested field {name!r}: objects hold scalars, enums, lists")
        elif self.fields:
            raise ValueError('`fields` is only for type = "object"')
        if kind != "JSON" and self.json_schema is not None:
            raise ValueError('`json_schema` is only for type = "JSON"')
        if (self.min is not None or self.max is not None) and kind not in NUMERIC:
            raise ValueError("`min`/`max` are for Int, Float and Decimal")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is greater than `max`")
        if (self.min_length is not None or self.max_length is not None or self.pattern) and (
            kind not in {"String", "list"}
        ):
            raise ValueError("`min_length`/`max_length`/`pattern` are for String (and list)")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"`pattern` is not a valid regular expression: {exc}") from exc
        if self.filterable and kind not in SCALARS | {"enum"}:
            raise ValueError("only scalar and enum fields can be `filterable`")
        if self.required and self.default is not None:
            raise ValueError("a field is either `required` or has a `default`, not both")
        return self


class EntitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: dict[Annotated[str, Field(pattern=FIELD_NAME)], FieldSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_reserved_names(self) -> EntitySpec:
        clash = sorted(set(self.fields) & RESERVED)
        if clash:
            raise ValueError(f"field names {clash} are reserved by the gateway")
        return self


class ExtensionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    listing: EntitySpec = EntitySpec()
    seller: EntitySpec = EntitySpec()

    @property
    def empty(self) -> bool:
        return not self.listing.fields and not self.seller.fields


def _describe(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        loc = [str(p) for p in problem["loc"]]
        where = ".".join(loc) or "(top level)"
        parts.append(f"`{where}`: {problem['msg']}")
    return "; ".join(parts)


def parse_spec(data: dict[str, Any], source: str) -> ExtensionSpec:
    try:
        return ExtensionSpec.model_validate(data)
    except ValidationError as exc:
        raise ExtensionError(f"{source}: {_describe(exc)}") from exc


def extension_files(tenants_dir: Path, tenant_id: str) -> list[Path]:
    folder = tenants_dir / "extensions"
    return [
        p
        for p in (
            folder / f"{tenant_id}.toml",
            folder / f"{tenant_id}.yaml",
            folder / f"{tenant_id}.yml",
        )
        if p.exists()
    ]


def load_spec(tenants_dir: Path, tenant_id: str) -> ExtensionSpec:
    """The tenant's declared fields (none when it has no extension file)."""
    files = [p for p in extension_files(tenants_dir, tenant_id) if p.suffix != ".py"]
    if len(files) > 1:
        raise ExtensionError(f"tenant {tenant_id!r} has several extension files: {files}")
    if not files:
        return ExtensionSpec()
    path = files[0]
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(path.read_text())
        else:
            import yaml  # optional: only tenants that choose YAML need PyYAML

            data = yaml.safe_load(path.read_text()) or {}
    except (OSError, ValueError, ImportError) as exc:
        raise ExtensionError(f"{path}: cannot read the extension file: {exc}") from exc
    return parse_spec(data, str(path))
