"""FairPool: slots shared fairly between tenants (graph/limits/fair.py). Pure asyncio:
the assertions are on who holds a slot, never on time."""

from __future__ import annotations

import asyncio

import pytest

from graph.limits.fair import FairPool

NEVER = 30.0  # a wait that a test resolves long before it ends


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_tenant_alone_uses_every_slot_up_to_its_cap() -> None:
    pool = FairPool(4, reserve=0)
    assert [await pool.acquire("a", cap=8, wait=0) for _ in range(4)] == [True] * 4
    assert await pool.acquire("a", cap=8, wait=0) is False  # the pool is full
    capped = FairPool(4, reserve=0)
    assert [await capped.acquire("a", cap=2, wait=0) for _ in range(3)] == [True, True, False]


async def test_a_second_tenant_gets_the_next_free_slot_before_the_flood() -> None:
    pool = FairPool(4, reserve=0)
    for _ in range(4):
        assert await pool.acquire("flood", cap=8, wait=0)
    flood_waiter = asyncio.create_task(pool.acquire("flood", cap=8, wait=NEVER))
    await settle()
    quiet_waiter = asyncio.create_task(pool.acquire("quiet", cap=8, wait=NEVER))
    await settle()
    pool.release("flood")  # one slot frees: the flood is over its share (4 // 2 = 2)
    await settle()
    assert quiet_waiter.done()
    assert await quiet_waiter is True
    assert not flood_waiter.done()
    assert pool.held == {"flood": 3, "quiet": 1}
    # The flood drains to its share before it gets another slot.
    pool.release("flood")
    await settle()
    assert not flood_waiter.done()  # 2 held = its share; the free slot stays for quiet
    pool.release("quiet")  # quiet is idle again: the flood may use the whole pool
    await settle()
    assert await flood_waiter is True
    assert pool.held == {"flood": 3}


async def test_a_tenant_at_its_share_waits_even_with_a_free_slot() -> None:
    pool = FairPool(4, reserve=0)
    assert await pool.acquire("a", cap=8, wait=0)
    assert await pool.acquire("a", cap=8, wait=0)
    assert await pool.acquire("b", cap=8, wait=0)
    assert pool.in_use == 3
    assert await pool.acquire("a", cap=8, wait=0.01) is False  # share 2: the slot is b's
    assert await pool.acquire("b", cap=8, wait=0) is True


async def test_waiting_tenants_are_served_round_robin() -> None:
    pool = FairPool(1)
    assert await pool.acquire("a", cap=8, wait=0)
    order: list[str] = []

    async def one(tenant: str) -> None:
        assert await pool.acquire(tenant, cap=8, wait=NEVER)
        order.append(tenant)

    tasks = [asyncio.create_task(one(t)) for t in ("a", "a", "a", "b", "b", "c")]
    await settle()
    holder = "a"
    for _ in tasks:
        pool.release(holder)
        await settle()
        holder = order[-1]
    await asyncio.gather(*tasks)
    assert order == ["a", "b", "c", "a", "b", "a"]


async def test_a_timed_out_or_cancelled_waiter_leaves_nothing_behind() -> None:
    pool = FairPool(1)
    assert await pool.acquire("a", cap=8, wait=0)
    assert await pool.acquire("b", cap=8, wait=0.01) is False
    waiter = asyncio.create_task(pool.acquire("c", cap=8, wait=NEVER))
    await settle()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    pool.release("a")
    assert pool.in_use == 0
    assert dict(pool.held) == {}
    assert pool.active() == 0
    assert await pool.acquire("d", cap=8, wait=0)


async def test_a_tenant_alone_leaves_the_reserve_to_the_next_tenant() -> None:
    pool = FairPool(8)  # a quarter is kept back: 2 slots
    assert pool.reserve == 2
    assert [await pool.acquire("flood", cap=100, wait=0) for _ in range(7)] == [True] * 6 + [False]
    # The next tenant's first request runs at once, without waiting for the flood.
    assert await pool.acquire("quiet", cap=8, wait=0) is True
    # Two tenants asking: (8 - 2) // 2 = 3 each; the flood drains to 3 before it gets more.
    assert pool.share("flood") == 3
    flood_waiter = asyncio.create_task(pool.acquire("flood", cap=100, wait=NEVER))
    for _ in range(3):
        pool.release("flood")
        await settle()
    assert not flood_waiter.done()  # 3 held = its share
    pool.release("flood")
    await settle()
    assert await flood_waiter is True
    assert pool.held == {"flood": 3, "quiet": 1}
    # Caps still apply inside the share; a small pool, or one tenant's, keeps nothing back.
    assert FairPool(3).reserve == 0
    assert FairPool.for_tenants(8, 1).reserve == 0
    assert FairPool.for_tenants(8, 2).reserve == 2
    capped = FairPool(8)
    assert [await capped.acquire("a", cap=2, wait=0) for _ in range(3)] == [True, True, False]


def test_a_pool_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        FairPool(0)
    with pytest.raises(ValueError, match="at least one slot to share"):
        FairPool(4, reserve=4)


async def test_a_tenant_between_two_requests_keeps_its_share_while_it_lingers() -> None:
    now = [0.0]
    pool = FairPool(8, linger=1.0, clock=lambda: now[0])  # 2 kept back: 6 to share
    assert await pool.acquire("probe", cap=8, wait=0)
    pool.release("probe")  # one request at a time: between two, it holds nothing
    # Still asking: the flood gets 6 // 2 = 3, not the 6 it would get alone.
    assert pool.share("flood") == 3
    assert [await pool.acquire("flood", cap=8, wait=0) for _ in range(4)] == [True] * 3 + [False]
    now[0] += 0.9
    assert pool.share("flood") == 3
    now[0] += 0.2  # past the linger: the flood alone may use the whole share again
    assert pool.active() == 1
    assert pool.share("flood") == 6
    assert await pool.acquire("flood", cap=8, wait=0) is True
    # Without a linger (the default), a tenant counts only while it holds or waits.
    plain = FairPool(8)
    assert await plain.acquire("probe", cap=8, wait=0)
    plain.release("probe")
    assert plain.share("flood") == 6
