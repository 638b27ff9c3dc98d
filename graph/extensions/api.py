"""The API a tenant's Python extension module may use — and nothing else of the gateway.

`tenants/extensions/<tenant>.py`:

    from decimal import Decimal
    from graph.extensions.api import ExtensionContext, HookError, computed, write_hook

    @computed("listing", type="Decimal", description="Price per US size unit.")
    def price_per_size(listing: dict, ctx: ExtensionContext) -> Decimal | None:
        size = listing["custom"].get("size")
        return listing["price"]["amount"] / size if size else None

    @write_hook("listing")
    def no_fakes(data: dict, ctx: ExtensionContext, *, creating: bool) -> dict:
        if "replica" in data.get("title", "").lower():
            raise HookError("Replicas cannot be listed.", field=["title"])
        return data

Computed fields appear under `custom` in the tenant's schema; they may read other
listings and sellers through `ctx` (the request's batched loaders, this tenant only).
Write hooks run before validation on create and update, and may change the data.
Extension modules must not import the store, boto3/botocore or other gateway modules:
the loader refuses them (graph/extensions/modules.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Entity = Literal["listing", "seller"]
ComputedType = Literal["String", "Int", "Float", "Boolean", "Decimal", "DateTime", "JSON"]
COMPUTED_MARK = "__resale_graph_computed__"
HOOK_MARK = "__resale_graph_write_hook__"


class HookError(Exception):
    """Raised by a write hook: the client gets BAD_USER_INPUT with this message."""

    def __init__(self, message: str, *, field: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.field = tuple(field)


class _Loader(Protocol):
    def load(self, key: str) -> Awaitable[Mapping[str, Any] | None]: ...


class ExtensionContext:
    """What extension code may see of a request: the tenant, the caller's key id and
    scopes, and read access to this tenant's listings and sellers (batched)."""

    def __init__(
        self,
        tenant_id: str,
        key_id: str,
        scopes: frozenset[str],
        listings: _Loader,
        sellers: _Loader,
    ) -> None:
        self.tenant_id = tenant_id
        self.key_id = key_id
        self.scopes = scopes
        self._listings = listings
        self._sellers = sellers

    async def load_listing(self, listing_id: str) -> Mapping[str, Any] | None:
        return await self._listings.load(listing_id)

    async def load_seller(self, seller_id: str) -> Mapping[str, Any] | None:
        return await self._sellers.load(seller_id)


@dataclass(frozen=True)
class ComputedSpec:
    entity: Entity
    name: str
    type: ComputedType
    description: str | None
    visibility: Literal["public", "private"]
    fn: Callable[..., Any]


def computed(
    entity: Entity,
    *,
    type: ComputedType,
    description: str | None = None,
    visibility: Literal["public", "private"] = "public",
    name: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a computed custom field: `fn(item, ctx)` (sync or async) returns its value."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        spec = ComputedSpec(entity, name or fn.__name__, type, description, visibility, fn)
        setattr(fn, COMPUTED_MARK, spec)
        return fn

    return mark


def write_hook(entity: Entity) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a hook `fn(data, ctx, *, creating)` run before a write of `entity`."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        setattr(fn, HOOK_MARK, entity)
        return fn

    return mark
