"""The per-request DataLoaders (graph/loaders) over a real store on DynamoDB Local:
batching, dedup, results aligned with keys (None where missing), chunks of MAX_ITEMS,
prime and clear. DynamoDB calls are counted with the conftest's CallRecorder (botocore
event hooks; the calls still reach DynamoDB Local)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from graph.bounds import MAX_ITEMS
from graph.loaders import ListingByIdLoader, NaiveLoader, SellerByIdLoader, build_loaders
from graph.local import demo
from graph.store import (
    CursorCodec,
    TableNames,
    TenantStore,
    create_tables,
    delete_tables,
    put_items,
)
from tests.conftest import CallRecorder

DATA = demo.dataset("kicks", "kicks")
LISTING_IDS = [item["listingId"] for item in DATA["listings"]]


@pytest.fixture(scope="module")
async def tables(ddb: Any) -> AsyncIterator[TableNames]:
    run = uuid.uuid4().hex[:10]
    names = TableNames.from_mapping(
        {name: f"t{run}-loaders-{name}" for name in ("listings", "sellers", "history")}
    )
    await create_tables(ddb, names)
    await put_items(ddb, names.listings, DATA["listings"])
    await put_items(ddb, names.sellers, DATA["sellers"])
    try:
        yield names
    finally:
        await delete_tables(ddb, names)


@pytest.fixture
def store(ddb: Any, tables: TableNames) -> TenantStore:
    return TenantStore(ddb, tables, CursorCodec(b"test", "loaders"))


def _batch_keys(calls: CallRecorder) -> list[list[str]]:
    """The listing or seller ids of each BatchGetItem sent, in order."""
    sent = []
    for request in calls.requests:
        for table_request in request.get("RequestItems", {}).values():
            sent.append([next(iter(k.values()))["S"] for k in table_request["Keys"]])
    return sent


async def test_concurrent_loads_are_one_batch(store: TenantStore, calls: CallRecorder) -> None:
    loader = ListingByIdLoader(store)
    items = await asyncio.gather(*(loader.load(i) for i in ("lst-0003", "lst-0001", "lst-0002")))
    assert [item["listingId"] for item in items if item] == ["lst-0003", "lst-0001", "lst-0002"]
    assert calls.operations == ["BatchGetItem"]
    assert calls.waves == 1
    assert sorted(_batch_keys(calls)[0]) == ["lst-0001", "lst-0002", "lst-0003"]


async def test_a_key_asked_twice_is_read_once_and_then_cached(
    store: TenantStore, calls: CallRecorder
) -> None:
    loader = ListingByIdLoader(store)
    first, again, many = await asyncio.gather(
        loader.load("lst-0007"),
        loader.load("lst-0007"),
        loader.load_many(["lst-0007", "lst-0008", "lst-0008"]),
    )
    assert first is not None
    assert first == again == many[0]
    assert many[1] is not None
    assert many[1] == many[2]
    assert _batch_keys(calls) == [["lst-0007", "lst-0008"]]
    calls.reset()
    assert await loader.load("lst-0008") == many[1]
    assert calls.operations == []  # served from the loader's cache


async def test_results_align_with_keys_and_missing_keys_are_none(
    store: TenantStore, calls: CallRecorder
) -> None:
    loader = ListingByIdLoader(store)
    keys = ["lst-0010", "no-such-listing", "lst-0004", "", "lst-0010x", "lst-0002"]
    found = await loader.load_many(keys)
    assert [item["listingId"] if item else None for item in found] == [
        "lst-0010",
        None,
        "lst-0004",
        None,
        None,
        "lst-0002",
    ]
    # One call; the empty key (no item can have it) is not sent to DynamoDB.
    assert calls.operations == ["BatchGetItem"]
    assert sorted(_batch_keys(calls)[0]) == sorted(k for k in keys if k)


async def test_more_keys_than_max_items_are_read_in_chunks_in_one_wave(
    store: TenantStore, calls: CallRecorder
) -> None:
    keys = list(reversed(LISTING_IDS))[: 2 * MAX_ITEMS + 50]
    loader = ListingByIdLoader(store)
    found = await loader.load_many(keys)
    assert [item["listingId"] if item else None for item in found] == keys
    sizes = sorted(len(chunk) for chunk in _batch_keys(calls))
    assert sizes == [50, MAX_ITEMS, MAX_ITEMS]
    assert calls.operations == ["BatchGetItem"] * 3
    assert calls.waves == 1  # the chunks go out together
    assert sorted(k for chunk in _batch_keys(calls) for k in chunk) == sorted(keys)


async def test_prime_answers_without_a_call_and_clear_reads_again(
    store: TenantStore, calls: CallRecorder
) -> None:
    loader = ListingByIdLoader(store)
    primed = {"listingId": "lst-0005", "title": "primed"}
    loader.prime("lst-0005", primed)
    assert await loader.load("lst-0005") == primed
    assert calls.operations == []
    loader.clear("lst-0005")
    fresh = await loader.load("lst-0005")
    assert fresh is not None
    assert fresh["title"] != "primed"
    assert calls.operations == ["BatchGetItem"]
    assert _batch_keys(calls) == [["lst-0005"]]
    # A prime does not replace what the loader already holds.
    loader.prime("lst-0005", primed)
    assert await loader.load("lst-0005") == fresh
    assert calls.count() == 1


async def test_sellers_batch_on_the_sellers_table(
    store: TenantStore, calls: CallRecorder, tables: TableNames
) -> None:
    loader = SellerByIdLoader(store)
    found = await loader.load_many(["sel-002", "sel-999", "sel-001"])
    assert [s["sellerId"] if s else None for s in found] == ["sel-002", None, "sel-001"]
    assert calls.operations == ["BatchGetItem"]
    assert calls.tables() == {tables.sellers}


async def test_loaders_are_built_per_store_and_naive_ones_read_one_by_one(
    store: TenantStore, calls: CallRecorder
) -> None:
    batched = build_loaders(store)
    assert isinstance(batched.listings, ListingByIdLoader)
    assert isinstance(batched.sellers, SellerByIdLoader)
    naive = build_loaders(store, batching=False)
    assert isinstance(naive.listings, NaiveLoader)
    found = await naive.listings.load_many(["lst-0001", "missing", "lst-0001"])
    assert [i["listingId"] if i else None for i in found] == ["lst-0001", None, "lst-0001"]
    assert calls.operations == ["GetItem"] * 3  # no batching, no cache: what loaders save
    assert calls.waves == 3
