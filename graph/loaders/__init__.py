"""Per-request DataLoaders: `<Entity>By<Key>Loader`, results aligned with keys.

Loaders are built in the request context, inside the running event loop (an
aiodataloader binds the loop it was built in), and die with the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiodataloader import DataLoader

from graph.bounds import MAX_ITEMS
from graph.store import Item, TenantStore


class Loader(Protocol):
    def load(self, key: str) -> Awaitable[Item | None]: ...

    def load_many(self, keys: Sequence[str]) -> Awaitable[list[Item | None]]: ...

    def prime(self, key: str, value: Item | None) -> Any: ...

    def clear(self, key: str) -> Any: ...


@dataclass
class ReadPlan:
    """The stored attributes a request reads per entity; None reads whole items.

    Filled from the operation before any resolver runs (graph/execution/projection.py);
    every read of the request (loaders and pages) uses the same set, so an item in the
    loaders' cache holds what any field of the operation needs."""

    listings: frozenset[str] | None = None
    sellers: frozenset[str] | None = None


class _ByIdLoader(DataLoader[str, Item | None]):
    def __init__(self, fetch: Callable[[Sequence[str]], Awaitable[dict[str, Item]]]) -> None:
        super().__init__(max_batch_size=MAX_ITEMS)
        self._fetch = fetch

    async def batch_load_fn(self, keys: list[str]) -> list[Item | None]:
        found = await self._fetch(keys)
        return [found.get(key) for key in keys]


class ListingByIdLoader(_ByIdLoader):
    def __init__(self, store: TenantStore, reads: ReadPlan | None = None) -> None:
        plan = reads or ReadPlan()
        super().__init__(lambda ids: store.listings.get_many(ids, attributes=plan.listings))


class SellerByIdLoader(_ByIdLoader):
    def __init__(self, store: TenantStore, reads: ReadPlan | None = None) -> None:
        plan = reads or ReadPlan()
        super().__init__(lambda ids: store.sellers.get_many(ids, attributes=plan.sellers))


class NaiveLoader:
    """No batching, no cache: one GetItem per load. For tests and benchmarks only,
    to show what the loaders save."""

    def __init__(self, get: Callable[[str], Awaitable[Item | None]]) -> None:
        self._get = get

    async def load(self, key: str) -> Item | None:
        return await self._get(key)

    async def load_many(self, keys: Sequence[str]) -> list[Item | None]:
        return [await self._get(key) for key in keys]

    def prime(self, key: str, value: Item | None) -> None:
        return None

    def clear(self, key: str) -> None:
        return None


@dataclass(frozen=True)
class Loaders:
    listings: Loader
    sellers: Loader


def build_loaders(
    store: TenantStore, *, batching: bool = True, reads: ReadPlan | None = None
) -> Loaders:
    plan = reads or ReadPlan()
    if not batching:
        return Loaders(
            listings=NaiveLoader(lambda key: store.listings.get(key, attributes=plan.listings)),
            sellers=NaiveLoader(lambda key: store.sellers.get(key, attributes=plan.sellers)),
        )
    return Loaders(listings=ListingByIdLoader(store, plan), sellers=SellerByIdLoader(store, plan))
