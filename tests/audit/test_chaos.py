"""Nothing lost, nothing doubled: a set-checker test in the style of Jepsen.

1,000 acknowledged writes over 50 listings while the audit consumer is killed at a
random point in at least 20% of batches (it processes a random prefix of the batch,
then dies before acknowledging) and some batches are delivered twice. After draining,
history must hold exactly one entry per acknowledged write, with no duplicates, no
unexpected entries, and each listing's versions strictly increasing in time order.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

from graph.audit.runner import StreamRunner
from graph.registry.tenants import Limits
from graph.store import from_wire
from tests.conftest import Gateway, make_audit, open_gateway
from tests.schema.test_mutations import CREATE, UPDATE, new_listing

LISTINGS = 50
WRITES = 1000


class Crash(Exception):
    """The consumer process died mid-batch."""


async def test_nothing_lost_nothing_doubled(ddb: Any, settings: Any, streams: Any) -> None:
    # Its subject is the audit trail, not admission: the writers get a pool that never
    # makes them wait for a slot, whatever else the machine is doing.
    roomy = settings.model_copy(update={"max_in_flight": 32})
    async with open_gateway(
        ddb, roomy, seed=True, limits=Limits(max_concurrency=32), fresh=True
    ) as gw:
        tenants = list(gw.tenants.values())
        audit = make_audit(gw, settings, ddb, streams, batch_size=25)
        rng = random.Random(20261127)
        stats = {"batches": 0, "crashes": 0, "twice": 0}
        real = audit.consumer.handle

        def chaotic(event: dict[str, Any]) -> dict[str, Any]:
            stats["batches"] += 1
            records = event["Records"]
            if rng.random() < 0.3:
                stats["crashes"] += 1
                real({"Records": records[: rng.randrange(len(records))]})
                raise Crash
            response = real(event)
            if rng.random() < 0.15:
                stats["twice"] += 1
                real(event)
            return response

        acknowledged: set[tuple[str, int]] = set()
        done = asyncio.Event()

        async def consume() -> None:
            while True:
                runner = StreamRunner(
                    audit.runner.reader,
                    chaotic,
                    audit.runner.tables,
                    audit.checkpoints,
                    batch_size=25,
                )
                try:
                    if done.is_set():
                        await runner.drain(idle_polls=3)
                        return
                    await runner.poll_once()
                    await asyncio.sleep(0.01)
                except Crash:
                    continue  # a new consumer starts from the last checkpoint

        async def write(worker: int, ids: list[str]) -> None:
            versions: dict[str, int] = {}
            for listing_id in ids:
                if listing_id not in versions:
                    body = await gw.gql(
                        CREATE,
                        {"input": new_listing(title=f"Listing {listing_id}")},
                        scope="write",
                        headers={"Idempotency-Key": listing_id},
                    )
                    created = body["data"]["createListing"]["listing"]
                    versions[listing_id] = 1
                    acknowledged.add((created["id"], 1))
                    continue
                body = await gw.gql(
                    UPDATE,
                    {
                        "id": real_ids[listing_id],
                        "v": versions[listing_id],
                        "input": {"title": f"v{versions[listing_id] + 1}"},
                    },
                    scope="write",
                )
                if "errors" not in body:
                    versions[listing_id] += 1
                    acknowledged.add((real_ids[listing_id], versions[listing_id]))

        # Each worker owns 10 listings, so its writes never race each other.
        names = [f"chaos-{n:02d}" for n in range(LISTINGS)]
        from graph.domain import idempotent_listing_id

        real_ids = {n: idempotent_listing_id(tenants[0].id, "kicks-test-write", n) for n in names}
        plan: dict[int, list[str]] = defaultdict(list)
        for n in range(WRITES):
            name = names[n % LISTINGS]
            plan[names.index(name) // 10].append(name)
        consumer = asyncio.create_task(consume())
        try:
            await asyncio.gather(*(write(w, ids) for w, ids in plan.items()))
            done.set()
            await asyncio.wait_for(consumer, timeout=300)
        finally:
            audit.consumer.close()

        assert len(acknowledged) == WRITES
        entries: list[dict[str, Any]] = []
        async for page in ddb.get_paginator("scan").paginate(
            TableName=tenants[0].tables.history, ConsistentRead=True
        ):
            # The shop's facet counters share the table (`facets#<status>`); entries only.
            items = (from_wire(item) for item in page["Items"])
            entries.extend(e for e in items if not str(e["entityId"]).startswith("facets#"))
        ours = [e for e in entries if e["entityKey"] in set(real_ids.values())]
        seen = [(e["entityKey"], int(e["version"])) for e in ours]
        duplicates = len(seen) - len(set(seen))
        lost = acknowledged - set(seen)
        unexpected = set(seen) - acknowledged
        by_listing: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for e in ours:
            by_listing[e["entityKey"]].append((e["atSequence"], int(e["version"])))
        out_of_order = [
            key
            for key, rows in by_listing.items()
            if [v for _, v in sorted(rows)] != sorted(v for _, v in rows)
            or len({v for _, v in rows}) != len(rows)
        ]
        crash_share = stats["crashes"] / stats["batches"]
        print(
            f"\nbatches={stats['batches']} crashed={stats['crashes']} ({crash_share:.0%}) "
            f"delivered-twice={stats['twice']} acknowledged={len(acknowledged)} "
            f"entries={len(ours)} lost={len(lost)} duplicates={duplicates} "
            f"unexpected={len(unexpected)}"
        )
        assert crash_share >= 0.2
        assert stats["twice"] > 0
        assert (len(lost), duplicates, len(unexpected), out_of_order) == (0, 0, 0, [])
        assert len(ours) == WRITES
        assert isinstance(gw, Gateway)
