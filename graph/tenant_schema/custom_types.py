"""One tenant's custom GraphQL types, made with Strawberry's public API.

From the tenant's declared fields (and, per visibility, only those the caller may see)
this makes `<Tenant>ListingCustom` / `<Tenant>SellerCustom` (declared and computed
fields, with their resolvers), the create/update inputs of the `custom` mutation fields,
`<Tenant>ListingWhere` and its filters, and the enums and nested objects they use:
`strawberry.type` / `strawberry.input` on classes made with `type(...)`, `strawberry.enum`
on enums made with `Enum(...)`, `strawberry.field(resolver=..., graphql_type=...)`.

graph/tenant_schema/build.py puts them into the base schema when it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional

import strawberry
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from graph.extensions import TenantExtension
from graph.extensions.api import ComputedSpec
from graph.extensions.graphql import ENTITIES
from graph.extensions.spec import ExtensionError, FieldSpec, pascal
from graph.schema.custom_fields import (
    SCALARS,
    annotated,
    computed_resolver,
    declared_attribute,
    input_field,
    input_type,
    item_resolver,
    object_type,
    python_name,
    required,
)

NUMERIC_FILTERS = ("eq", "gt", "gte", "lt", "lte")
#: Types made for earlier schemas, by name and declarations (least recently used first).
_MADE: dict[tuple[Any, ...], Any] = {}
MAX_MADE = 4096


def _declared(fields: Mapping[str, FieldSpec]) -> tuple[tuple[str, str], ...]:
    return tuple((name, spec.model_dump_json()) for name, spec in fields.items())


@dataclass
class CustomTypes:
    """A tenant's custom types for one visibility; None where it declares nothing."""

    ext: TenantExtension
    private: bool
    #: `listing` / `seller` -> `<Tenant><Entity>Custom`.
    outputs: dict[str, Any] = field(default_factory=dict)
    #: (`listing`, `create`), (`listing`, `update`), (`seller`, `update`) -> input and
    #: whether the mutation's `custom` field is required.
    inputs: dict[tuple[str, str], tuple[Any, bool]] = field(default_factory=dict)
    #: `listing` / `seller` -> the declared fields `CustomValues` reads, by attribute.
    views: dict[str, dict[str, tuple[str, FieldSpec]]] = field(default_factory=dict)
    #: `<Tenant>ListingWhere`, when the caller may filter on some field.
    where: Any = None
    named: dict[str, Any] = field(default_factory=dict)

    def _once(self, name: str, make: Callable[[], Any], *fingerprint: Any) -> Any:
        """The type named `name`, made once per schema; and made once per process for
        the same declarations (`fingerprint`), so the public and private schemas and
        rebuilds share what they have in common (Strawberry makes types slowly)."""
        if name not in self.named:
            key = (name, *fingerprint)
            made = _MADE.pop(key, None)
            if made is None:
                made = make()
            _MADE[key] = made
            while len(_MADE) > MAX_MADE:
                _MADE.pop(next(iter(_MADE)))
            self.named[name] = made
        return self.named[name]

    def enum(self, name: str, spec: FieldSpec) -> Any:
        return self._once(
            name,
            lambda: strawberry.enum(  # type: ignore[call-overload]
                Enum(name, {v: v for v in spec.values}), name=name
            ),
            spec.values,
        )

    def output(self, owner: str, name: str, spec: FieldSpec) -> Any:
        type_name = f"{owner}{pascal(name)}"
        if spec.type == "enum":
            return self.enum(type_name, spec)
        if spec.type == "list":
            assert spec.items is not None
            return list[self.output(owner, name, spec.items)]  # type: ignore[misc]
        if spec.type == "object":  # reused only for the same declaration, fields included
            made = self._nestedobject_type
            return self._once(type_name, lambda: made(type_name, spec), spec.model_dump_json())
        return SCALARS[spec.type]

    def _nestedobject_type(self, type_name: str, spec: FieldSpec) -> Any:
        fields = {
            python_name(sub_name): strawberry.field(
                resolver=item_resolver(sub_name),
                graphql_type=Optional[self.output(type_name, sub_name, sub)],  # noqa: UP045
                name=to_camel_case(sub_name),
                description=sub.description,
            )
            for sub_name, sub in spec.fields.items()
        }
        return object_type(type_name, fields, None)

    def input(self, owner: str, name: str, spec: FieldSpec) -> Any:
        type_name = f"{owner}{pascal(name)}"
        if spec.type == "enum":
            return self.enum(type_name, spec)
        if spec.type == "list":
            assert spec.items is not None
            return list[self.input(owner, name, spec.items)]  # type: ignore[misc]
        if spec.type == "object":
            input_name = f"{type_name}Input"
            return self._once(
                input_name,
                lambda: input_type(
                    input_name,
                    {
                        python_name(sub_name): input_field(
                            required(self.input(type_name, sub_name, sub), sub.required),
                            to_camel_case(sub_name),
                            key=sub_name,
                            description=sub.description,
                        )
                        for sub_name, sub in spec.fields.items()
                    },
                ),
                spec.model_dump_json(),
            )
        return SCALARS[spec.type]

    def filter(self, owner: str, name: str, spec: FieldSpec) -> Any:
        if spec.type == "enum":
            enum = self.enum(f"{owner}{pascal(name)}", spec)
            filter_name = f"{owner}{pascal(name)}Filter"
            return self._once(
                filter_name,
                lambda: input_type(
                    filter_name,
                    {
                        "eq": input_field(Optional[enum], "eq"),  # noqa: UP045
                        "in_": input_field(Optional[list[enum]], "in"),  # type: ignore[valid-type]  # noqa: UP045
                    },
                ),
                spec.values,
            )
        scalar = SCALARS[spec.type]
        ops: tuple[str, ...] = ("eq",)
        if spec.type in {"Int", "Float", "Decimal", "DateTime"}:
            ops = NUMERIC_FILTERS
        if spec.type in {"Int", "Decimal"}:  # exact values: any of several (the shop's sizes)
            ops = (*NUMERIC_FILTERS, "in")
        if spec.type == "String":
            ops = ("eq", "in")
        filter_name = f"{spec.type}Filter"
        return self._once(
            filter_name,
            lambda: input_type(
                filter_name,
                {
                    python_name(op): input_field(
                        required(list[scalar] if op == "in" else scalar, False),  # type: ignore[valid-type]
                        op,
                    )
                    for op in ops
                },
            ),
        )

    def declared_field(self, owner: str, name: str, spec: FieldSpec) -> tuple[Any, StrawberryField]:
        """A plain field (no resolver: Strawberry reads the attribute, `CustomValues`
        converts the stored value), and its type."""
        kind = self.output(owner, name, spec)
        notes = [
            "Filterable: usable in `where`." if spec.filterable else "",
            "Private: only write and admin keys see it." if spec.visibility == "private" else "",
        ]
        made: StrawberryField = strawberry.field(
            name=to_camel_case(name),
            description=annotated(spec.description, *filter(None, notes)),
            deprecation_reason=spec.deprecation_reason,
        )
        return (kind if spec.default is not None else Optional[kind]), made  # noqa: UP045

    def computed_field(self, spec: ComputedSpec) -> StrawberryField:
        notes = ["Computed by the brand's code: read-only, not filterable."]
        if spec.visibility == "private":
            notes.append("Private: only write and admin keys see it.")
        made: StrawberryField = strawberry.field(
            resolver=computed_resolver(spec),
            graphql_type=Optional[SCALARS[spec.type]],  # noqa: UP045
            name=to_camel_case(spec.name),
            description=annotated(spec.description, *notes),
        )
        return made

    def custom_output(
        self,
        owner: str,
        type_name: str,
        fields: Mapping[str, FieldSpec],
        computed: list[ComputedSpec],
    ) -> Any:
        def make() -> Any:
            declared = {
                declared_attribute(n): self.declared_field(owner, n, s) for n, s in fields.items()
            }
            members = {
                **{attribute: made for attribute, (_, made) in declared.items()},
                **{f"computed_{c.name}": self.computed_field(c) for c in computed},
            }
            annotations = {attribute: kind for attribute, (kind, _) in declared.items()}
            description = f"Custom fields of {type_name.lower()}s of this brand."
            return object_type(f"{owner}Custom", members, description, annotations)

        made = tuple((repr(c), c.fn) for c in computed)
        return self._once(f"{owner}Custom", make, _declared(fields), made)

    def custom_input(self, owner: str, fields: Mapping[str, FieldSpec], creating: bool) -> Any:
        name = f"{owner}Custom{'Create' if creating else 'Update'}Input"
        return self._once(
            name, lambda: self._custom_input(name, owner, fields, creating), _declared(fields)
        )

    def _custom_input(
        self, name: str, owner: str, fields: Mapping[str, FieldSpec], creating: bool
    ) -> Any:
        return input_type(
            name,
            {
                python_name(n): input_field(
                    required(self.input(owner, n, s), creating and s.required),
                    to_camel_case(n),
                    key=n,
                    description=s.description,
                    deprecation_reason=s.deprecation_reason,
                )
                for n, s in fields.items()
            },
        )

    def where_input(self, owner: str, fields: Mapping[str, FieldSpec]) -> Any:
        name = f"{owner}Where"
        return self._once(name, lambda: self._where_input(name, owner, fields), _declared(fields))

    def _where_input(self, name: str, owner: str, fields: Mapping[str, FieldSpec]) -> Any:
        return input_type(
            name,
            {
                python_name(n): input_field(
                    Optional[self.filter(owner, n, s)],  # noqa: UP045
                    to_camel_case(n),
                    key=n,
                )
                for n, s in fields.items()
            },
            description="Filter on this brand's filterable custom fields (all must match).",
        )


MODES = {"listing": ("create", "update"), "seller": ("update",)}


def custom_types(ext: TenantExtension, *, private: bool) -> CustomTypes:
    """The tenant's custom types that a caller with (or without) `private` access sees."""
    types = CustomTypes(ext, private)
    prefix = pascal(ext.tenant_id)
    for entity, type_name in ENTITIES.items():
        fields = ext.fields(entity, private=private)
        computed = [c for c in ext.module.computed[entity] if private or c.visibility == "public"]
        owner = f"{prefix}{type_name}"
        if fields or computed:
            clash = set(fields) & {c.name for c in computed}
            if clash:
                raise ExtensionError(f"{ext.tenant_id}: computed fields shadow declared {clash}")
            types.outputs[entity] = types.custom_output(owner, type_name, fields, computed)
            types.views[entity] = {declared_attribute(n): (n, s) for n, s in fields.items()}
        if fields:
            for mode in MODES[entity]:
                creating = mode == "create"
                any_required = creating and any(s.required for s in fields.values())
                types.inputs[(entity, mode)] = (
                    types.custom_input(owner, fields, creating),
                    any_required,
                )
        filterable = {n: s for n, s in fields.items() if s.filterable}
        if entity == "listing" and filterable:
            types.where = types.where_input(owner, filterable)
    return types
