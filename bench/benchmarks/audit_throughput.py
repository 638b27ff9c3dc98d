"""Bench 8: audit throughput: stream records per second through the consumer into history.

A tenant of its own (fresh tables on the benchmark's DynamoDB Local) is seeded with
listings and its stream drained once, untimed. Then, per round, N listing updates (new
title, price, version, updatedAt/By, requestId: MODIFY records with old and new images)
are written straight to its listings table with BatchWriteItem, so the writes are not
what is measured, and `StreamRunner.drain()` (graph/audit/runner.py, the local stand-in
for Lambda: batches of 100 from each shard) feeds `AuditConsumer.handle`
(graph/audit/consumer.py, the audit Lambda's logic, with its own client and loop thread,
as deployed) until the stream is empty. Checked: exactly one history entry per write
(each update's (listing, version) once, nothing else new), no duplicates, no failures.

Baseline: the same number of conditional PutItems of the same history entries, built
beforehand from the same records (`entry_for`) in DynamoDB JSON, straight to another
tenant's history table from one client: as many in flight as the consumer has (a batch
of 100 at a time), and, for scale, one at a time. That is what the consumer's writes
cost without reading streams and without the batch processor. The baseline's client
is a stock one (botocore validates each request first); the consumer's own skips that
client-side check (graph/audit/consumer.py), which is part of what is measured.

A first round warms DynamoDB Local up and is not counted (a fresh one's JIT makes its
writes ~3x faster over the first few thousand); the timed rounds alternate which side
runs first. Records/s counts from the start of the drain to the last batch acknowledged
(the runner's trailing empty polls are left out). The drain's time is split into reading
the stream (DescribeStream, GetShardIterator, GetRecords), handling (the handler call:
entries, puts, Powertools) and the rest (the thread hop, checkpoints).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from bench.benchmarks.audit_rig import (
    Rig,
    TimedHandler,
    baseline,
    count_history,
    drain,
    timed_reader_class,
    updates,
)
from bench.harness import goals
from bench.harness.dataset import STAGE, TENANT_A, dataset
from bench.harness.env import BenchEnv
from bench.harness.progress import say
from bench.harness.results import Benchmark, BenchResult, Figure
from bench.harness.stats import median
from bench.harness.tenants import bench_tenant

TENANT = "bench-audit"
BASELINE_TENANT = "bench-audit-base"
BATCH = 100
#: Issue 15: the consumer keeps up, >= 0.8x the puts with 100 in flight.
AUDIT_GOAL = 0.8


async def _round(
    rig: Rig, count: int, version: int, label: str, previous: list[dict[str, Any]] | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Write `count` updates, then time the drain and the baseline. With `previous` (the
    last round's entries), the baseline goes first, so neither side always runs on the
    warmer DynamoDB Local."""
    from bench.harness.graph_store import put_items

    t0 = time.perf_counter()
    for batch in updates(rig.seeds, count, version):
        await put_items(rig.ddb, rig.tenant.tables.listings, batch)
    write_s = time.perf_counter() - t0
    base = await baseline(rig, previous, label, BATCH) if previous is not None else None
    row, wire = await drain(rig, count)
    if base is None:
        base = await baseline(rig, wire, label, BATCH)
    order = "consumer first" if previous is None else "baseline first"
    return {"write_s": write_s, "order": order, **row, **base}, wire


async def _measure(env: BenchEnv, count: int, seed_count: int) -> dict[str, Any]:
    from bench.harness.graph_store import create_tables, open_dynamodb, open_streams, put_items
    from graph.audit.checkpoints import MemoryCheckpoints
    from graph.audit.consumer import AuditConsumer
    from graph.audit.runner import StreamRunner
    from graph.registry.tenants import Registry
    from graph.settings import Settings

    settings = Settings(stage=STAGE, dynamodb_endpoint=env.dynamodb_endpoint)
    tenant, base_tenant = bench_tenant(TENANT, "write"), bench_tenant(BASELINE_TENANT, "write")
    seeds = dataset(TENANT_A)["listings"][:seed_count]
    if len(seeds) < seed_count:
        raise RuntimeError(f"the dataset has {len(seeds)} listings, need {seed_count}")
    consumer = AuditConsumer(settings, Registry([tenant], STAGE))
    rounds: list[dict[str, Any]] = []
    warm_up: dict[str, Any] = {}
    try:
        async with open_dynamodb(settings) as ddb, open_streams(settings) as streams:
            for t in (tenant, base_tenant):
                await create_tables(ddb, t.tables)
            await put_items(ddb, tenant.tables.listings, seeds)
            reader = timed_reader_class()(ddb, streams)
            handler = TimedHandler(consumer.handle)
            runner = StreamRunner(
                reader,
                handler,
                [tenant.tables.listings, tenant.tables.sellers],
                MemoryCheckpoints(),
                batch_size=BATCH,
            )
            rig = Rig(
                ddb,
                runner,
                reader,
                handler,
                consumer,
                tenant,
                base_tenant,
                seeds,
                {"dynamodb": env.dynamodb_pid},
            )
            seeded = await runner.drain()
            if seeded != seed_count or consumer.written != seed_count:
                raise RuntimeError(f"seed drain: {seeded} records, {consumer.written} written")
            version = 2
            previous: list[dict[str, Any]] | None = None
            # Round 0 warms DynamoDB Local up (its JIT: a fresh one's put rate rises about
            # threefold over its first few thousand writes) and is left out of the figures.
            for number in range(env.budget.rounds + 1):
                row, wire = await _round(rig, count, version, f"r{number}#", previous)
                version += -(-count // seed_count)
                previous = wire if number % 2 == 0 else None  # odd rounds: baseline first
                if number == 0:
                    warm_up = row
                else:
                    rounds.append(row)
                say(
                    f"  {'warm-up' if number == 0 else 'round'} {number}/{env.budget.rounds} "
                    f"({row['order']}): consumer {row['records_per_s']:.0f} records/s "
                    f"({row['batches']} batches; read {row['read_s']:.2f} s, handle "
                    f"{row['handle_s']:.2f} s of {row['records_s']:.2f} s); puts "
                    f"{row['baseline_batch_per_s']:.0f}/s ({BATCH} in flight), "
                    f"{row['baseline_sequential_per_s']:.0f}/s (1 at a time)"
                )
            found = await count_history(ddb, tenant.tables.history)
            updates = +Counter({k: v for k, v in found.items() if k[1] == "UPDATED"})
            total_updates = count * (env.budget.rounds + 1)
            if sum(updates.values()) != total_updates or max(updates.values()) != 1:
                raise RuntimeError(
                    f"history has {sum(updates.values())} UPDATED entries for {total_updates} "
                    f"writes (most for one (listing, version): {max(updates.values())})"
                )
            created = {k[0] for k, v in found.items() if k[1] == "CREATED" and v == 1}
            if sum(found.values()) != seed_count + total_updates or len(created) != seed_count:
                raise RuntimeError(
                    f"history has {sum(found.values())} entries, expected "
                    f"{seed_count} created + {total_updates} updated"
                )
            if consumer.duplicates:
                raise RuntimeError(f"the consumer saw {consumer.duplicates} duplicate records")
    finally:
        consumer.close()
    return {
        "records_per_round": count,
        "seed_listings": seed_count,
        "batch_size": BATCH,
        "warm_up": warm_up,
        "rounds": rounds,
        "history_entries_checked": seed_count + total_updates,
    }


def run(env: BenchEnv) -> BenchResult:
    result = BenchResult(NAME, TITLE)
    env.ensure_data()
    quick = env.budget.quick
    count, seed_count = (300, 100) if quick else (2000, 400)
    found = asyncio.run(_measure(env, count, seed_count))
    result.details = found
    rows = found["rounds"]
    rounds = len(rows)

    def med(key: str) -> float:
        return median([r[key] for r in rows])

    batches = int(med("batches"))
    result.figures += [
        Figure(
            f"{count:,} updates -> history ({batches} batches of <= {BATCH}): records/s",
            med("records_per_s"),
            "rec/s",
            med("baseline_batch_per_s"),
            f"puts, {BATCH} in flight",
            better="higher",
            samples=rounds,
            goal=goals.AUDIT,
            ratio_goal=AUDIT_GOAL,
        ),
        Figure(
            f"{count:,} updates -> history: records/s",
            med("records_per_s"),
            "rec/s",
            med("baseline_sequential_per_s"),
            "puts, 1 at a time",
            better="higher",
            samples=rounds,
        ),
        Figure(
            f"{count:,} updates: time to history (drain)",
            med("records_s") * 1000,
            "ms",
            med("baseline_batch_s") * 1000,
            f"puts, {BATCH} in flight",
            samples=rounds,
        ),
        Figure(
            "  of which reading the stream",
            med("read_s") * 1000,
            "ms",
            med("records_s") * 1000,
            "whole drain",
            samples=rounds,
        ),
        Figure(
            "  of which in the handler (AuditConsumer.handle)",
            med("handle_s") * 1000,
            "ms",
            med("records_s") * 1000,
            "whole drain",
            samples=rounds,
        ),
    ]
    last = rows[-1]
    result.notes += [
        f"checked: exactly one history entry per write ({found['history_entries_checked']} "
        "entries: the seed's CREATED + every update's (listing, version) once), no duplicates, "
        "no failed records",
        f"per round: {count} updates written in {med('write_s'):.2f} s with BatchWriteItem "
        "(not timed in the figures)",
        f"stream calls up to the last batch (last round): {last['read_calls']}, ms per call "
        f"{last['read_ms_per_call']}; CPU (% of a core) during the drain "
        f"{last['cpu_pct_during_drain']}, during the {BATCH}-in-flight puts "
        f"{last['cpu_pct_during_baseline']} (bench = runner + consumer threads)",
        "baselines: conditional PutItems of the same entries, pre-built from the same "
        "records and in DynamoDB JSON, from one client to another tenant's history table; "
        "records/s runs from the drain's start to its last acknowledged batch",
        f"medians of {rounds} round(s) after an untimed warm-up round (DynamoDB Local's JIT "
        "speeds its writes up ~3x over the first few thousand); odd rounds run the baseline "
        "first (with the previous round's entries), even rounds the consumer; per round: "
        "consumer "
        + ", ".join(f"{r['records_per_s']:.0f}" for r in rows)
        + f" rec/s, puts ({BATCH} in flight) "
        + ", ".join(f"{r['baseline_batch_per_s']:.0f}" for r in rows)
        + f" rec/s; warm-up round: consumer {found['warm_up']['records_per_s']:.0f}, puts "
        f"{found['warm_up']['baseline_batch_per_s']:.0f} rec/s",
    ]
    return result


NAME = "audit_throughput"
TITLE = "Audit: stream records/s through the consumer into history (DynamoDB Local)"
BENCHMARK = Benchmark(NAME, TITLE, run)
