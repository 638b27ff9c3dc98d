"""The API a tenant's Python extension module may use — and nothing else of the gateway.

`tenants/extensions/<tenant>.py`:

    from decimal import Decimal
    from graph.extensions.api import ExtensionContext, HookError, computed, write_hook

    @computed("listing", type="Decimal", reads=("size",), description="Price per size unit.")
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

A computed field declares the custom fields it reads: `reads=("size",)` for its own
entity, `reads=("seller.verified_reseller",)` for a loaded seller (`listing.` likewise).
It sees the item's base fields and those custom fields only, and its visibility follows
from them: a field that reads a private custom field is private (write and admin keys
only), unless it says why its value may be public with `publish="..."`. A value derived
from private data is private data: `price / purchase_price` tells the purchase price.
Write hooks run before validation on create and update, and may change the data.
Extension modules must not import the store, boto3/botocore or other gateway modules:
the loader refuses them (graph/extensions/modules.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
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
    scopes, and read access to this tenant's listings and sellers (batched). For a
    computed field, loaded items show only the custom fields it declared in `reads`."""

    def __init__(
        self,
        tenant_id: str,
        key_id: str,
        scopes: frozenset[str],
        listings: _Loader,
        sellers: _Loader,
        reads: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.key_id = key_id
        self.scopes = scopes
        self._listings = listings
        self._sellers = sellers
        self._reads = reads

    def _view(self, entity: str, item: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        if item is None or self._reads is None:
            return item
        return restricted(item, self._reads.get(entity, frozenset()))

    async def load_listing(self, listing_id: str) -> Mapping[str, Any] | None:
        return self._view("listing", await self._listings.load(listing_id))

    async def load_seller(self, seller_id: str) -> Mapping[str, Any] | None:
        return self._view("seller", await self._sellers.load(seller_id))


def restricted(item: Mapping[str, Any], custom: frozenset[str]) -> dict[str, Any]:
    """The item as a computed field may see it: base fields, and of its custom fields
    only those named in `custom`."""
    values: Mapping[str, Any] = item.get("custom") or {}
    return {**item, "custom": {k: v for k, v in values.items() if k in custom}}


@dataclass(frozen=True)
class ComputedSpec:
    entity: Entity
    name: str
    type: ComputedType
    description: str | None
    visibility: Literal["public", "private"]
    fn: Callable[..., Any]
    #: Custom fields read: `name` (this entity) or `seller.name` / `listing.name`.
    reads: tuple[str, ...] = ()
    #: Why a field that reads private data may still be public (None: it may not).
    publish: str | None = None

    def reads_of(self, entity: str) -> frozenset[str]:
        """The custom fields of `entity` this field reads."""
        own = {r for r in self.reads if "." not in r} if entity == self.entity else set()
        prefix = f"{entity}."
        return frozenset(own | {r[len(prefix) :] for r in self.reads if r.startswith(prefix)})


def computed(
    entity: Entity,
    *,
    type: ComputedType,
    reads: Sequence[str] = (),
    description: str | None = None,
    visibility: Literal["public", "private"] | None = None,
    publish: str | None = None,
    name: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a computed custom field: `fn(item, ctx)` (sync or async) returns its value.

    `reads` names the custom fields it uses; its visibility is derived from them when the
    extension loads (graph/extensions/computed.py): private if any is private, unless
    `publish` gives the reason its value reveals nothing private. `visibility="private"`
    makes it private whatever it reads."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        spec = ComputedSpec(
            entity,
            name or fn.__name__,
            type,
            description,
            visibility or "public",
            fn,
            tuple(reads) if not isinstance(reads, str) else (reads,),
            publish,
        )
        if visibility == "private":
            spec = replace(spec, publish=None)
        setattr(fn, COMPUTED_MARK, spec)
        return fn

    return mark


def write_hook(entity: Entity) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a hook `fn(data, ctx, *, creating)` run before a write of `entity`."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        setattr(fn, HOOK_MARK, entity)
        return fn

    return mark
