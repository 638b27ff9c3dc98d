"""Extend one tenant's built schema with its typed custom fields.

The base schema declares placeholders typed JSON (`Listing.custom`, `Seller.custom`,
the `custom` input fields and the `where` arguments). For each tenant (and each
visibility: storefront keys see public fields only), the freshly built schema's
placeholders are retyped with the tenant's own GraphQL types — `KicksListingCustom`,
`KicksListingWhere`, ... — or removed when the tenant declares nothing. Strawberry's
resolvers stay in place; only types change, so a tenant's schema, introspection, SDL
and error messages contain its own names and no one else's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    validate_schema,
)
from strawberry.utils.str_converters import to_camel_case

from graph.extensions import TenantExtension
from graph.extensions.api import ComputedSpec, ExtensionContext, restricted
from graph.extensions.modules import call
from graph.extensions.spec import ExtensionError, FieldSpec
from graph.extensions.values import from_storage

ENTITIES = {"listing": "Listing", "seller": "Seller"}


@dataclass(frozen=True)
class CustomValues:
    """What `Listing.custom` / `Seller.custom` resolve to: the item and its stored values."""

    item: Mapping[str, Any]

    @property
    def values(self) -> Mapping[str, Any]:
        custom: Mapping[str, Any] = self.item.get("custom") or {}
        return custom


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_-]", name) if part)


def extension_context(
    context: Any, reads: Mapping[str, frozenset[str]] | None = None
) -> ExtensionContext:
    """The request as extension code sees it; `reads` restricts the custom fields of
    loaded items (computed fields: what they declared)."""
    principal = context.principal
    return ExtensionContext(
        principal.tenant.id,
        principal.key_id,
        frozenset(principal.scopes),
        context.loaders.listings,
        context.loaders.sellers,
        reads,
    )


class _Types:
    def __init__(self, schema: GraphQLSchema, prefix: str) -> None:
        self.prefix = prefix
        self.scalars: dict[str, Any] = {
            "String": GraphQLString,
            "Int": GraphQLInt,
            "Float": GraphQLFloat,
            "Boolean": GraphQLBoolean,
            "Decimal": schema.type_map["Decimal"],
            "DateTime": schema.type_map["DateTime"],
            "JSON": schema.type_map["JSON"],
        }
        self.named: dict[str, GraphQLNamedType] = {}

    def _once(self, name: str, make: Callable[[], GraphQLNamedType]) -> Any:
        if name not in self.named:
            self.named[name] = make()
        return self.named[name]

    def enum(self, name: str, spec: FieldSpec) -> GraphQLEnumType:
        return self._once(  # type: ignore[no-any-return]
            name, lambda: GraphQLEnumType(name, {v: GraphQLEnumValue(v) for v in spec.values})
        )

    def output(self, owner: str, name: str, spec: FieldSpec) -> GraphQLOutputType:
        type_name = f"{owner}{pascal(name)}"
        if spec.type == "enum":
            return self.enum(type_name, spec)
        if spec.type == "list":
            assert spec.items is not None
            return GraphQLList(GraphQLNonNull(self.output(owner, name, spec.items)))
        if spec.type == "object":
            return self._once(  # type: ignore[no-any-return]
                type_name,
                lambda: GraphQLObjectType(
                    type_name,
                    lambda: {
                        to_camel_case(sub_name): GraphQLField(
                            self.output(type_name, sub_name, sub),
                            resolve=lambda src, info, k=sub_name: src.get(k),
                            description=sub.description,
                        )
                        for sub_name, sub in spec.fields.items()
                    },
                ),
            )
        return self.scalars[spec.type]  # type: ignore[no-any-return]

    def input(self, owner: str, name: str, spec: FieldSpec) -> GraphQLInputType:
        type_name = f"{owner}{pascal(name)}"
        if spec.type == "enum":
            return self.enum(type_name, spec)
        if spec.type == "list":
            assert spec.items is not None
            return GraphQLList(GraphQLNonNull(self.input(owner, name, spec.items)))
        if spec.type == "object":
            input_name = f"{type_name}Input"
            return self._once(  # type: ignore[no-any-return]
                input_name,
                lambda: GraphQLInputObjectType(
                    input_name,
                    lambda: {
                        to_camel_case(sub_name): GraphQLInputField(
                            _required(self.input(type_name, sub_name, sub), sub.required),
                            out_name=sub_name,
                            description=sub.description,
                        )
                        for sub_name, sub in spec.fields.items()
                    },
                ),
            )
        return self.scalars[spec.type]  # type: ignore[no-any-return]

    def filter(self, owner: str, name: str, spec: FieldSpec) -> GraphQLInputObjectType:
        if spec.type == "enum":
            enum = self.enum(f"{owner}{pascal(name)}", spec)
            filter_name = f"{enum.name}Filter"
            return self._once(  # type: ignore[no-any-return]
                filter_name,
                lambda: GraphQLInputObjectType(
                    filter_name,
                    {
                        "eq": GraphQLInputField(enum),
                        "in": GraphQLInputField(GraphQLList(GraphQLNonNull(enum))),
                    },
                ),
            )
        scalar = self.scalars[spec.type]
        filter_name = f"{spec.type}Filter"
        ops = (
            ["eq", "gt", "gte", "lt", "lte"]
            if spec.type in {"Int", "Float", "Decimal", "DateTime"}
            else ["eq"]
        )
        if spec.type == "String":
            ops = ["eq", "in"]
        return self._once(  # type: ignore[no-any-return]
            filter_name,
            lambda: GraphQLInputObjectType(
                filter_name,
                {
                    op: GraphQLInputField(
                        GraphQLList(GraphQLNonNull(scalar)) if op == "in" else scalar
                    )
                    for op in ops
                },
            ),
        )


def _required(kind: Any, required: bool) -> Any:
    return GraphQLNonNull(kind) if required else kind


def _annotated(description: str | None, *notes: str) -> str | None:
    """The field's own description, then what the docs explorer should tell about it, in
    the same paragraph (GraphiQL's type page shows only a field's first paragraph)."""
    tail = " ".join(f"_{note}_" for note in notes)
    if not tail:
        return description
    return f"{description} {tail}" if description else tail


def _declared_field(types: _Types, owner: str, name: str, spec: FieldSpec) -> GraphQLField:
    kind: Any = types.output(owner, name, spec)
    notes = [
        "Filterable: usable in `where`." if spec.filterable else "",
        "Private: only write and admin keys see it." if spec.visibility == "private" else "",
    ]
    return GraphQLField(
        GraphQLNonNull(kind) if spec.default is not None else kind,
        resolve=lambda src, info, n=name, s=spec: from_storage(s, src.values.get(n)),
        description=_annotated(spec.description, *filter(None, notes)),
        deprecation_reason=spec.deprecation_reason,
    )


def _computed_field(types: _Types, spec: ComputedSpec) -> GraphQLField:
    # The function sees only the custom fields it declared: its derived visibility
    # (graph/extensions/computed.py) then holds for what it can actually read.
    reads = {entity: spec.reads_of(entity) for entity in ENTITIES}
    own = reads[spec.entity]

    async def resolve(src: CustomValues, info: Any) -> Any:
        item = restricted(src.item, own)
        return await call(spec.fn, item, extension_context(info.context, reads))

    notes = ["Computed by the brand's code: read-only, not filterable."]
    if spec.visibility == "private":
        notes.append("Private: only write and admin keys see it.")
    return GraphQLField(
        types.scalars[spec.type], resolve=resolve, description=_annotated(spec.description, *notes)
    )


def extend_schema(schema: strawberry.Schema, ext: TenantExtension, *, private: bool) -> None:
    """Retype (or remove) the custom placeholders of `schema` for one tenant."""
    g: GraphQLSchema = schema._schema
    types = _Types(g, pascal(ext.tenant_id))
    query = g.query_type
    assert query is not None
    seller_type = g.type_map["Seller"]
    assert isinstance(seller_type, GraphQLObjectType)
    for entity, type_name in ENTITIES.items():
        entity_type = g.type_map[type_name]
        assert isinstance(entity_type, GraphQLObjectType)
        fields = ext.fields(entity, private=private)
        computed = [c for c in ext.module.computed[entity] if private or c.visibility == "public"]
        owner = f"{types.prefix}{type_name}"
        inputs = _input_placeholders(g, entity)
        if not fields and not computed:
            del entity_type.fields["custom"]
            for input_type in inputs.values():
                del input_type.fields["custom"]
        else:
            custom_name = f"{owner}Custom"
            clash = set(fields) & {c.name for c in computed}
            if clash:
                raise ExtensionError(f"{ext.tenant_id}: computed fields shadow declared {clash}")
            custom_type = GraphQLObjectType(
                custom_name,
                lambda fields=fields, computed=computed, owner=owner: {  # type: ignore[misc]
                    **{
                        to_camel_case(n): _declared_field(types, owner, n, s)
                        for n, s in fields.items()
                    },
                    **{to_camel_case(c.name): _computed_field(types, c) for c in computed},
                },
                description=f"Custom fields of {type_name.lower()}s of this brand.",
            )
            placeholder = entity_type.fields["custom"]
            entity_type.fields["custom"] = GraphQLField(
                GraphQLNonNull(custom_type),
                resolve=placeholder.resolve,
                description="This brand's own fields.",
            )
            for mode, input_type in inputs.items():
                if not fields:
                    del input_type.fields["custom"]
                    continue
                creating = mode == "create"
                custom_input = GraphQLInputObjectType(
                    f"{owner}Custom{'Create' if creating else 'Update'}Input",
                    lambda fields=fields, creating=creating, owner=owner: {  # type: ignore[misc]
                        to_camel_case(n): GraphQLInputField(
                            _required(types.input(owner, n, s), creating and s.required),
                            out_name=n,
                            description=s.description,
                            deprecation_reason=s.deprecation_reason,
                        )
                        for n, s in fields.items()
                    },
                )
                any_required = creating and any(s.required for s in fields.values())
                input_type.fields["custom"] = GraphQLInputField(
                    _required(custom_input, any_required), out_name="custom"
                )
        if entity == "listing":
            _retype_where(
                types,
                owner,
                fields,
                [query.fields["productListings"], seller_type.fields["listings"]],
            )
    rebuilt = GraphQLSchema(
        query=query,
        mutation=g.mutation_type,
        subscription=g.subscription_type,
        types=[*g.type_map.values(), *types.named.values()],
        directives=g.directives,
        extensions=g.extensions,
    )
    rebuilt._strawberry_schema = schema  # type: ignore[attr-defined]
    problems = validate_schema(rebuilt)
    if problems:
        raise ExtensionError(
            f"{ext.tenant_id}: the extended schema is invalid: "
            + "; ".join(p.message for p in problems)
        )
    schema._schema = rebuilt


def _input_placeholders(g: GraphQLSchema, entity: str) -> dict[str, GraphQLInputObjectType]:
    names = (
        {"create": "CreateListingInput", "update": "UpdateListingInput"}
        if entity == "listing"
        else {"update": "UpsertSellerInput"}
    )
    found: dict[str, GraphQLInputObjectType] = {}
    for mode, name in names.items():
        kind = g.type_map.get(name)
        if isinstance(kind, GraphQLInputObjectType) and "custom" in kind.fields:
            found[mode] = kind
    return found


def _retype_where(
    types: _Types, owner: str, fields: Mapping[str, FieldSpec], targets: list[GraphQLField]
) -> None:
    filterable = {n: s for n, s in fields.items() if s.filterable}
    if not filterable:
        for target in targets:
            target.args.pop("where", None)
        return
    where = GraphQLInputObjectType(
        f"{owner}Where",
        lambda: {
            to_camel_case(n): GraphQLInputField(types.filter(owner, n, s), out_name=n)
            for n, s in filterable.items()
        },
        description="Filter on this brand's filterable custom fields (all must match).",
    )
    types.named[where.name] = where
    for target in targets:
        target.args["where"] = GraphQLArgument(where, out_name="where")
