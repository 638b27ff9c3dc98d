"""The dataset in memory, with a store and loaders that answer from it: the in-process
benchmarks (field_cost, extension_scale) execute the real schema over these, no I/O."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from bench.harness.dataset import dataset

Item = dict[str, Any]


class MemoryData:
    def __init__(self, tenant_id: str) -> None:
        from bench.harness.graph_store import from_wire, to_wire

        data = dataset(tenant_id)
        self.listings = {i["listingId"]: from_wire(to_wire(i)) for i in data["listings"]}
        self.sellers = {s["sellerId"]: from_wire(to_wire(s)) for s in data["sellers"]}
        self.by_product: dict[str, list[Item]] = {}
        self.by_seller: dict[str, list[Item]] = {}
        for item in sorted(self.listings.values(), key=_newest_first):
            self.by_product.setdefault(item["productId"], []).append(item)
            self.by_seller.setdefault(item["sellerId"], []).append(item)


def _newest_first(item: Item) -> tuple[str, str]:
    created, listing_id = item["createdAt"], item["listingId"]
    return (_invert(created), _invert(listing_id))


def _invert(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


class MemoryTable:
    """One repository of the request store (`store.listings`, `store.sellers`) in memory."""

    def __init__(self, items: dict[str, Item], pages: dict[str, dict[str, list[Item]]]):
        self.items = items
        self.pages = pages

    # Filters (`status`, `after`, `where`, ...) are not used by the benchmarked queries.
    async def by_product(self, product_id: str, *, first: int, **_: Any) -> Any:
        return _page(self.pages.get("byProduct", {}).get(product_id, []), first)

    async def by_seller(self, seller_id: str, *, first: int, **_: Any) -> Any:
        return _page(self.pages.get("bySeller", {}).get(seller_id, []), first)

    async def get_many(self, ids: Sequence[str], **_: Any) -> dict[str, Item]:
        return {i: self.items[i] for i in ids if i in self.items}

    async def get(self, key: str, **_: Any) -> Item | None:
        return self.items.get(key)


def _page(items: list[Item], first: int) -> Any:
    from bench.harness.graph_store import Page

    page = items[:first]
    return Page(page, [f"cursor-{i['listingId']}" for i in page], len(items) > first)


class MemoryStore:
    """The part of the request store (`TenantStore`) the read resolvers use, answering
    from memory. It has both shapes of the store: one repository per table
    (`store.listings.by_product`, issue 12) and the flat methods it replaces
    (`store.listings_by_product`), so it serves the resolvers before and after that
    change."""

    def __init__(self, data: MemoryData) -> None:
        self.data = data
        pages = {"byProduct": data.by_product, "bySeller": data.by_seller}
        self.listings = MemoryTable(data.listings, pages)
        self.sellers = MemoryTable(data.sellers, {})

    async def listings_by_product(self, product_id: str, *, first: int, **_: Any) -> Any:
        return await self.listings.by_product(product_id, first=first)

    async def listings_by_seller(self, seller_id: str, *, first: int, **_: Any) -> Any:
        return await self.listings.by_seller(seller_id, first=first)

    async def get_listings(self, ids: Sequence[str]) -> dict[str, Item]:
        return await self.listings.get_many(ids)

    async def get_sellers(self, ids: Sequence[str]) -> dict[str, Item]:
        return await self.sellers.get_many(ids)

    async def get_listing(self, listing_id: str) -> Item | None:
        return await self.listings.get(listing_id)

    async def get_seller(self, seller_id: str) -> Item | None:
        return await self.sellers.get(seller_id)


class MemoryLoader:
    """A loader (graph.loaders.Loader) that answers from a dict: no batching overhead."""

    def __init__(self, items: dict[str, Item]) -> None:
        self.items = items

    async def load(self, key: str) -> Item | None:
        return self.items.get(key)

    async def load_many(self, keys: Sequence[str]) -> list[Item | None]:
        return [self.items.get(k) for k in keys]

    def prime(self, key: str, value: Item | None) -> None:
        return None

    def clear(self, key: str) -> None:
        return None


def request_context(runtime: Any, principal: Any, store: Any, loaders: Any) -> Any:
    """A `graph.resolvers.context.Context` as graph/routes/graphql.py builds one per request
    (the fields it has grown since are filled the way the endpoint fills them)."""
    from graph.resolvers.context import Context

    names = {f.name for f in dataclasses.fields(Context)}
    fields: dict[str, Any] = {
        "request_id": "bench",
        "principal": principal,
        "store": store,
        "loaders": loaders,
    }
    if "extension" in names:  # per-tenant custom fields (graph/extensions)
        fields["extension"] = runtime.graph_for(principal.tenant).extension
    return Context(**fields)
