"""Build a tenant's schema: the base types with the tenant's custom types in them.

The base types declare the tenant-specific places as placeholders (`Listing.custom`,
`Seller.custom`, the `custom` fields of the mutation inputs, the `where` arguments of
`Query.productListings` and `Seller.listings`). Strawberry asks the schema for the
fields of every type it converts (`Schema.get_fields`, its public hook for
per-schema fields); this schema answers with the placeholders typed by the tenant's
own types (graph/tenant_schema/custom_types.py) — or without them, when the tenant declares
nothing the caller may see. Nothing is retyped after the build.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Optional

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from graph.bounds import MAX_ENTRY_ATTRIBUTES
from graph.execution.error_codes import ErrorCodes
from graph.execution.execution import PlainFieldsExecution
from graph.execution.projection import ProjectReads
from graph.extensions import TenantExtension
from graph.extensions.graphql import CustomValues
from graph.extensions.spec import ExtensionError, FieldSpec
from graph.limits import MAX_ENTRIES
from graph.schema.history import AuditEntry
from graph.schema.mutations import (
    CreateListingInput,
    Mutation,
    UpdateListingInput,
    UpsertSellerInput,
)
from graph.schema.query import Query
from graph.schema.scalars import scalar_overrides
from graph.schema.shop import ShopConnection
from graph.schema.subscriptions import Subscription, SubscriptionsOverWebSocket
from graph.schema.types import Listing, Seller
from graph.tenant_schema.custom_types import CustomTypes, custom_types

Extensions = Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]]
Fields = list[StrawberryField]

#: Input type -> (entity, mode) of its `custom` field.
CUSTOM_INPUTS: dict[type, tuple[str, str]] = {
    CreateListingInput: ("listing", "create"),
    UpdateListingInput: ("listing", "update"),
    UpsertSellerInput: ("seller", "update"),
}
#: Types whose fields take a `where` argument, and the fields that do.
WHERE_FIELDS: dict[type, frozenset[str]] = {
    Query: frozenset({"product_listings", "shop"}),
    Seller: frozenset({"listings"}),
}


def _changes_most(custom: CustomTypes) -> int:
    """An entry's changes: its entity's own attributes, then its custom fields one by one
    (those the caller may see: graph/schema/history.py)."""
    ext, private = custom.ext, custom.private
    fields = max(len(ext.fields(entity, private=private)) for entity in ("listing", "seller"))
    return MAX_ENTRY_ATTRIBUTES + fields


def _facets_most(custom: CustomTypes) -> int:
    """The shop's facets: the condition and each indexed field the caller may see."""
    visible = custom.ext.fields("listing", private=custom.private)
    return 1 + sum(1 for name, _ in custom.ext.indexed if name in visible)


#: Lists whose most entries depend on the tenant's declarations: type -> (field, most).
TENANT_MAXIMA: dict[type, tuple[str, Callable[[CustomTypes], int]]] = {
    AuditEntry: ("changes", _changes_most),
    ShopConnection: ("facets", _facets_most),
}


class GatewaySchema(strawberry.Schema):
    """A Strawberry schema whose custom placeholders are the tenant's types."""

    def __init__(self, *, custom: CustomTypes | None = None, **kwargs: Any) -> None:
        self.custom = custom
        super().__init__(**kwargs)

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        # Strawberry would log every error with a traceback, so clients could flood the
        # log with their own mistakes; ErrorCodes logs the unexpected ones only.
        return None

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> Fields:
        fields = type_definition.fields
        origin = type_definition.origin
        if origin in (Listing, Seller):
            fields = self._custom_output(fields, "listing" if origin is Listing else "seller")
        elif origin in CUSTOM_INPUTS:
            fields = self._custom_input(fields, *CUSTOM_INPUTS[origin])
        if origin in WHERE_FIELDS:
            fields = [
                self._where(f) if f.python_name in WHERE_FIELDS[origin] else f for f in fields
            ]
        if origin in TENANT_MAXIMA and self.custom is not None:
            name, most = TENANT_MAXIMA[origin]
            fields = [
                self._at_most(f, most(self.custom)) if f.python_name == name else f for f in fields
            ]
        return fields

    def _at_most(self, f: StrawberryField, entries: int) -> StrawberryField:
        """`f` with the tenant's own most entries (graph.limits.MAX_ENTRIES)."""
        tailored = copy.copy(f)
        tailored.metadata = MappingProxyType({**(f.metadata or {}), MAX_ENTRIES: entries})
        return tailored

    def _custom_output(self, fields: Fields, entity: str) -> Fields:
        kind = self.custom.outputs.get(entity) if self.custom else None
        out = []
        for f in fields:
            if f.python_name != "custom":
                out.append(f)
            elif kind is not None and self.custom is not None:
                out.append(
                    strawberry.field(
                        resolver=_custom_values(self.custom.views[entity]),
                        graphql_type=kind,
                        name="custom",
                        description=f.description,
                    )
                )
        return out

    def _custom_input(self, fields: Fields, entity: str, mode: str) -> Fields:
        found = self.custom.inputs.get((entity, mode)) if self.custom else None
        out = []
        for f in fields:
            if f.python_name != "custom":
                out.append(f)
            elif found is not None:
                kind, required = found
                typed: StrawberryField = strawberry.field(
                    name="custom",
                    graphql_type=kind if required else Optional[kind],  # noqa: UP045
                    default=strawberry.UNSET,
                )
                out.append(typed)
        return out

    def _where(self, f: StrawberryField) -> StrawberryField:
        where = self.custom.where if self.custom else None
        arguments = []
        for argument in f.arguments:
            if argument.python_name != "where":
                arguments.append(argument)
            elif where is not None:
                arguments.append(
                    StrawberryArgument(
                        python_name="where",
                        graphql_name=None,
                        type_annotation=StrawberryAnnotation(Optional[where]),  # noqa: UP045
                    )
                )
        tailored = copy.copy(f)
        tailored.arguments = arguments
        return tailored


def _custom_values(view: Mapping[str, tuple[str, FieldSpec]]) -> Callable[..., CustomValues]:
    def custom(root: Any) -> CustomValues:
        return CustomValues(root.item, view)

    return custom


def build_schema(
    extension: TenantExtension | None = None,
    *,
    private: bool = False,
    extensions: Extensions | None = None,
) -> strawberry.Schema:
    """The schema one tenant's callers see: the base types with its custom types (for
    `private` callers, write and admin keys, its private fields too). Without an
    extension, the base schema with no custom placeholders."""
    custom = custom_types(extension, private=private) if extension is not None else None
    try:
        return GatewaySchema(
            custom=custom,
            query=Query,
            mutation=Mutation,
            subscription=Subscription,
            extensions=[
                *(extensions or []),
                ProjectReads,
                SubscriptionsOverWebSocket,
                ErrorCodes,
            ],
            scalar_overrides=scalar_overrides(),
            execution_context_class=PlainFieldsExecution,
            config=StrawberryConfig(auto_camel_case=True),
        )
    except ValueError as exc:
        if extension is None:
            raise
        raise ExtensionError(
            f"{extension.tenant_id}: the extended schema is invalid: {exc}"
        ) from exc
