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
    indexed = true      # the shop filters it with an index of its own (two GSIs)

Field names are snake_case in the file and camelCase in GraphQL (`box_included` ->
`boxIncluded`); values are stored under the snake_case name in the item's `custom` map.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

FieldType = Literal[
    "String", "Int", "Float", "Boolean", "Decimal", "DateTime", "enum", "list", "object", "JSON"
]
SCALARS = frozenset({"String", "Int", "Float", "Boolean", "Decimal", "DateTime"})
NUMERIC = frozenset({"Int", "Float", "Decimal"})
RANGED = NUMERIC | {"DateTime"}
INDEXABLE = frozenset({"String", "Int", "Decimal", "Boolean", "enum"})
#: The longest value an indexed String may declare: it is part of an index key.
INDEXED_MAX_LENGTH = 200
FIELD_NAME = r"^[a-z][a-z0-9_]{0,47}$"
ENUM_VALUE = r"^[A-Z][A-Z0-9_]{0,47}$"
#: Names the gateway uses itself; a custom field must not shadow them.
RESERVED = frozenset({"id", "custom", "where", "typename"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an extension file: where (`listing.fields.size.default`) and
    what, including how to fix it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ExtensionError(ValueError):
    """An extension file or module is invalid; the message names file, field, problem.

    `source` is the file (or module) and `problems` the individual findings, for tools
    that report them one by one (`graph extensions check --format json`)."""

    def __init__(
        self, message: str, *, source: str | None = None, problems: Sequence[Problem] = ()
    ) -> None:
        super().__init__(message)
        self.source = source
        self.problems = tuple(problems)

    @classmethod
    def of(cls, source: str, problems: Sequence[Problem]) -> ExtensionError:
        """One line per problem, each naming the file and the path in it."""
        lines = [f"{source}: {problem}" for problem in problems]
        return cls("\n".join(lines), source=source, problems=problems)


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: FieldType
    description: str | None = None
    required: bool = False
    default: Any = None
    deprecation_reason: str | None = None
    visibility: Literal["public", "private"] = "public"
    filterable: bool = False
    #: Listing fields only: the shop filters it through indexes of its own (and counts
    #: its values); implies `filterable`.
    indexed: bool = False
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
            raise ValueError(
                f"`min` ({self.min}) is greater than `max` ({self.max}); swap them or fix one"
            )
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise ValueError(
                f"`min_length` ({self.min_length}) is greater than `max_length` "
                f"({self.max_length}); swap them or fix one"
            )
        if len(set(self.values)) != len(self.values):
            twice = sorted({v for v in self.values if self.values.count(v) > 1})
            raise ValueError(f"`values` lists {twice} more than once; list each value once")
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
        if self.indexed and kind not in INDEXABLE:
            raise ValueError(
                "only String, Int, Decimal, Boolean and enum fields can be `indexed` "
                "(the shop filters them by equal values)"
            )
        if self.indexed and not self.filterable:
            raise ValueError("an `indexed` field is one the shop filters: set `filterable = true`")
        if (
            self.indexed
            and kind == "String"
            and not (self.max_length and self.max_length <= INDEXED_MAX_LENGTH)
        ):
            raise ValueError(
                f"an indexed String needs `max_length` of at most {INDEXED_MAX_LENGTH}: "
                "its values are part of an index key"
            )
        if self.required and self.default is not None:
            raise ValueError(
                "a field is either `required` or has a `default`, not both: remove one"
            )
        return self


class EntitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: dict[Annotated[str, Field(pattern=FIELD_NAME)], FieldSpec] = Field(default_factory=dict)
    # Reserved and colliding names: graph/extensions/declarations.py, with their paths.


class ExtensionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    listing: EntitySpec = EntitySpec()
    seller: EntitySpec = EntitySpec()

    @property
    def empty(self) -> bool:
        return not self.listing.fields and not self.seller.fields


_KNOWN = ", ".join(FieldSpec.model_fields)


def problems_of(error: ValidationError) -> list[Problem]:
    out = []
    for problem in error.errors():
        loc = [str(p) for p in problem["loc"]]
        message = str(problem["msg"]).removeprefix("Value error, ")
        kind = problem["type"]
        if loc and loc[-1] == "[key]":  # a field name (a dict key) that failed its pattern
            loc = loc[:-1]
            message = (
                f"`{loc[-1]}` is not a valid field name: use snake_case (lower-case letters, "
                "digits and _, starting with a letter, at most 48 characters)"
            )
        elif kind == "string_pattern_mismatch" and len(loc) > 1 and loc[-2] == "values":
            message = (
                f"enum value {problem['input']!r} is not a valid GraphQL enum value: use "
                "UPPER_SNAKE_CASE (A-Z, 0-9 and _, starting with a letter), e.g. USED"
            )
        elif kind == "extra_forbidden":
            known = {1: "listing, seller", 2: "fields"}.get(len(loc), _KNOWN)
            message = f"`{loc[-1]}` is not a known setting here; known settings: {known}"
        elif kind == "missing":
            message = f"`{loc[-1]}` is required"
        out.append(Problem(".".join(loc), message))
    return out


def camel(name: str) -> str:
    """A declared name as Strawberry names its field: `shoe_size` -> `shoeSize` (what
    `strawberry.utils.str_converters.to_camel_case` does, without importing Strawberry:
    the audit consumer reads declarations, and its Lambda loads no GraphQL library)."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() if part else "_" for part in rest)


def pascal(name: str) -> str:
    """A declared name as a GraphQL type name part: `shoe_size` -> `ShoeSize`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_-]", name) if part)
