"""What the GraphQL layer needs from a tenant's extension: type names, the values a
`custom` field resolves to, and the request as extension code sees it.

The tenant's GraphQL types themselves are made when its schema is built
(graph/tenant_schema/custom_types.py, graph/tenant_schema/build.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.extensions.api import ExtensionContext
from graph.extensions.spec import FieldSpec
from graph.extensions.values import from_storage

ENTITIES = {"listing": "Listing", "seller": "Seller"}


@dataclass(frozen=True)
class CustomValues:
    """What `Listing.custom` / `Seller.custom` resolve to: the item and its stored values.

    `fields` maps attribute names to the declared fields the tenant's custom type reads
    as plain attributes (graph/tenant_schema/custom_types.py): each is the stored value
    converted for GraphQL, computed when it is read."""

    item: Mapping[str, Any]
    fields: Mapping[str, tuple[str, FieldSpec]] | None = None

    @property
    def values(self) -> Mapping[str, Any]:
        custom: Mapping[str, Any] = self.item.get("custom") or {}
        return custom

    def __getattr__(self, attribute: str) -> Any:
        declared = self.__dict__.get("fields") or {}
        if attribute not in declared:
            raise AttributeError(attribute)
        name, spec = declared[attribute]
        return from_storage(spec, self.values.get(name))


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
