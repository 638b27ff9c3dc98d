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
cost without reading streams and without the batch processor.

A first round warms DynamoDB Local up and is not counted (a fresh one's JIT makes its
writes ~3x faster over the first few thousand); the timed rounds alternate which side
runs first. Records/s counts from the start of the drain to the last batch acknowledged
(the runner's trailing empty polls are left out). The drain's time is split into reading
the stream (DescribeStream, GetShardIterator, GetRecords), handling (the handler call:
entries, puts, Powertools) and the rest (the thread hop, checkpoints).
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.common import Benchmark, BenchResult, Figure, median, say
from bench.dataset import STAGE, TENANT_A, dataset
from bench.env import BenchEnv
from bench.loadgen import _CpuSnapshot

TENANT = "bench-audit"
BASELINE_TENANT = "bench-audit-base"
BATCH = 100
WRITER = "bench-audit-writer"


def _tenant(tenant_id: str) -> Any:
    from graph.store import TableNames, physical_table_names
    from graph.tenancy import ApiKeyConfig, Tenant, TenantConfig

    config = TenantConfig(
        id=tenant_id,
        name=f"bench {tenant_id}",
        keys=(ApiKeyConfig(id=f"{tenant_id}-write", sha256="0" * 64, scopes=frozenset({"write"})),),
    )
    return Tenant(config, TableNames.from_mapping(physical_table_names(STAGE, tenant_id)))


def _reader_class() -> type:
    from graph.store import Shard, StreamReader

    class TimedReader(StreamReader):
        """The runner's StreamReader, logging (operation, start, end) of every stream call."""

        def __init__(self, dynamodb: Any, streams: Any) -> None:
            super().__init__(dynamodb, streams)
            self.log: list[tuple[str, float, float]] = []

        async def shards(self, stream_arn: str) -> list[Shard]:
            t0 = time.perf_counter()
            try:
                return await super().shards(stream_arn)
            finally:
                self.log.append(("DescribeStream", t0, time.perf_counter()))

        async def iterator(self, shard: Shard, after: str | None) -> str | None:
            t0 = time.perf_counter()
            try:
                return await super().iterator(shard, after)
            finally:
                self.log.append(("GetShardIterator", t0, time.perf_counter()))

        async def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
            t0 = time.perf_counter()
            try:
                return await super().read(iterator, limit)
            finally:
                self.log.append(("GetRecords", t0, time.perf_counter()))

    return TimedReader


def _stream_time(log: list[tuple[str, float, float]], until: float) -> dict[str, Any]:
    """Seconds and calls per stream operation, for the calls that ended by `until`."""
    seconds: dict[str, float] = {}
    calls: Counter[str] = Counter()
    for operation, start, end in log:
        if end <= until:
            seconds[operation] = seconds.get(operation, 0.0) + end - start
            calls[operation] += 1
    return {
        "seconds": sum(seconds.values()),
        "calls": dict(calls),
        "ms_per_call": {op: round(s * 1000 / calls[op], 2) for op, s in seconds.items()},
    }


class TimedHandler:
    """Wraps `AuditConsumer.handle`: time in it, the last acknowledgement, the events."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.seconds = 0.0
        self.last_ack = 0.0
        self.events: list[dict[str, Any]] = []
        self.failures = 0

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        t0 = time.perf_counter()
        response: dict[str, Any] = self.handle(event)
        self.last_ack = time.perf_counter()
        self.seconds += self.last_ack - t0
        self.events.append(event)
        self.failures += len(response.get("batchItemFailures", []))
        return response

    def reset(self) -> None:
        self.seconds = 0.0
        self.last_ack = 0.0
        self.events = []
        self.failures = 0


def _updates(seeds: list[dict[str, Any]], count: int, first_version: int) -> list[list[Any]]:
    """`count` updates of the seed listings, as rounds of distinct keys (one BatchWriteItem
    must not name a key twice): a new title, price, version and stamp each time."""
    from graph.demo import iso

    rounds: list[list[Any]] = []
    made = 0
    version = first_version
    while made < count:
        batch = []
        for item in seeds[: count - made]:
            new = copy.deepcopy(item)
            new.update(
                title=f"{item['title']} (edit {version})",
                version=version,
                updatedAt=iso(_now()),
                updatedBy=WRITER,
                requestId=f"bench-{item['listingId']}-v{version}",
            )
            new["price"] = {**item["price"], "amount": Decimal(version) + Decimal("0.99")}
            batch.append(new)
        rounds.append(batch)
        made += len(batch)
        version += 1
    return rounds


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _cpu(percent: dict[str, float]) -> dict[str, float]:
    """bench/loadgen.py's CPU split, its own process named for what it is here."""
    return {("bench" if k == "loadgen" else k): v for k, v in percent.items()}


async def _count_history(client: Any, table: str) -> Counter[tuple[str, str, int]]:
    """(entityId, event, version) -> entries, over the whole history table."""
    found: Counter[tuple[str, str, int]] = Counter()
    paginator = client.get_paginator("scan")
    async for page in paginator.paginate(
        TableName=table,
        ProjectionExpression="entityId, #e, version",
        ExpressionAttributeNames={"#e": "event"},
    ):
        for item in page.get("Items", []):
            version = int(item["version"]["N"]) if "version" in item else -1
            found[(item["entityId"]["S"], item["event"]["S"], version)] += 1
    return found


async def _put_all(client: Any, table: str, items: list[dict[str, Any]], in_flight: int) -> int:
    """Conditional PutItems of pre-built wire items, `in_flight` at a time; the new ones."""
    from botocore.exceptions import ClientError

    async def put(item: dict[str, Any]) -> bool:
        try:
            await client.put_item(
                TableName=table, Item=item, ConditionExpression="attribute_not_exists(entityId)"
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    written = 0
    if in_flight == 1:
        for item in items:
            written += await put(item)
        return written
    for start in range(0, len(items), in_flight):
        done = await asyncio.gather(*(put(i) for i in items[start : start + in_flight]))
        written += sum(done)
    return written


@dataclass
class _Rig:
    """What the rounds share: clients, the runner and its timing wrappers, the tenants."""

    ddb: Any
    runner: Any
    reader: Any
    handler: TimedHandler
    consumer: Any
    tenant: Any
    base_tenant: Any
    seeds: list[dict[str, Any]]
    watch: dict[str, int]


def _rekey(items: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The same wire items under new keys (each baseline writes keys of its own)."""
    return [{**item, "entityId": {"S": prefix + item["entityId"]["S"]}} for item in items]


async def _drain(rig: _Rig, count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Time the drain of `count` pending records; (figures, their entries in wire form)."""
    from graph.audit.entries import entry_for
    from graph.store import to_wire

    rig.handler.reset()
    rig.reader.log.clear()
    written_before, batches_before = rig.consumer.written, rig.runner.batches
    cpu_start = _CpuSnapshot.take(rig.watch)
    t0 = time.perf_counter()
    drained = await rig.runner.drain()
    drain_end = time.perf_counter()
    cpu = _cpu(_CpuSnapshot.take(rig.watch).since(cpu_start)[0])
    records_s = rig.handler.last_ack - t0
    written = rig.consumer.written - written_before
    if drained != count or written != count or rig.handler.failures:
        raise RuntimeError(
            f"{count} writes: {drained} records acknowledged, {written} history entries "
            f"written, {rig.handler.failures} failed"
        )
    stream = _stream_time(rig.reader.log, rig.handler.last_ack)
    records = [r for event in rig.handler.events for r in event["Records"]]
    wire = [to_wire(entry_for(r, "LISTING")) for r in records]
    return {
        "records": drained,
        "batches": rig.runner.batches - batches_before,
        "drain_s": drain_end - t0,
        "records_s": records_s,
        "records_per_s": count / records_s,
        "read_s": stream["seconds"],
        "read_calls": stream["calls"],
        "read_ms_per_call": stream["ms_per_call"],
        "handle_s": rig.handler.seconds,
        "cpu_pct_during_drain": cpu,
    }, wire


async def _baseline(rig: _Rig, wire: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    """Conditional PutItems of pre-built entries: BATCH in flight, then one at a time."""
    table = rig.base_tenant.tables.history
    batch_items, sequential = _rekey(wire, prefix + "b#"), _rekey(wire, prefix + "s#")
    cpu_start = _CpuSnapshot.take(rig.watch)
    t0 = time.perf_counter()
    put_batch = await _put_all(rig.ddb, table, batch_items, BATCH)
    batch_s = time.perf_counter() - t0
    cpu = _cpu(_CpuSnapshot.take(rig.watch).since(cpu_start)[0])
    t0 = time.perf_counter()
    put_seq = await _put_all(rig.ddb, table, sequential, 1)
    seq_s = time.perf_counter() - t0
    if put_batch != len(wire) or put_seq != len(wire):
        raise RuntimeError(f"baseline wrote {put_batch} and {put_seq} of {len(wire)} entries")
    return {
        "baseline_batch_s": batch_s,
        "baseline_batch_per_s": len(wire) / batch_s,
        "cpu_pct_during_baseline": cpu,
        "baseline_sequential_s": seq_s,
        "baseline_sequential_per_s": len(wire) / seq_s,
    }


async def _round(
    rig: _Rig, count: int, version: int, label: str, previous: list[dict[str, Any]] | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Write `count` updates, then time the drain and the baseline. With `previous` (the
    last round's entries), the baseline goes first, so neither side always runs on the
    warmer DynamoDB Local."""
    from graph.store import put_items

    t0 = time.perf_counter()
    for batch in _updates(rig.seeds, count, version):
        await put_items(rig.ddb, rig.tenant.tables.listings, batch)
    write_s = time.perf_counter() - t0
    base = await _baseline(rig, previous, label) if previous is not None else None
    row, wire = await _drain(rig, count)
    if base is None:
        base = await _baseline(rig, wire, label)
    order = "consumer first" if previous is None else "baseline first"
    return {"write_s": write_s, "order": order, **row, **base}, wire


async def _measure(env: BenchEnv, count: int, seed_count: int) -> dict[str, Any]:
    from graph.audit.consumer import AuditConsumer
    from graph.audit.runner import MemoryCheckpoints, StreamRunner
    from graph.settings import Settings
    from graph.store import create_tables, open_dynamodb, open_streams, put_items
    from graph.tenancy import Registry

    settings = Settings(stage=STAGE, dynamodb_endpoint=env.dynamodb_endpoint)
    tenant, base_tenant = _tenant(TENANT), _tenant(BASELINE_TENANT)
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
            reader = _reader_class()(ddb, streams)
            handler = TimedHandler(consumer.handle)
            runner = StreamRunner(
                reader,
                handler,
                [tenant.tables.listings, tenant.tables.sellers],
                MemoryCheckpoints(),
                batch_size=BATCH,
            )
            rig = _Rig(
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
            found = await _count_history(ddb, tenant.tables.history)
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
