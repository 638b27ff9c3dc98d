"""The audit benchmark's instruments (bench/benchmarks/audit_throughput.py): a stream
reader and a handler that time themselves, the listing updates it writes, the history
it counts and the conditional puts of its baseline."""

from __future__ import annotations

import asyncio
import copy
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.harness.procinfo import CpuSnapshot

WRITER = "bench-audit-writer"


def timed_reader_class() -> type:
    from bench.harness.graph_store import Shard, StreamReader

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


def stream_time(log: list[tuple[str, float, float]], until: float) -> dict[str, Any]:
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


def updates(seeds: list[dict[str, Any]], count: int, first_version: int) -> list[list[Any]]:
    """`count` updates of the seed listings, as rounds of distinct keys (one BatchWriteItem
    must not name a key twice): a new title, price, version and stamp each time."""
    from graph.local.demo import iso

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


async def count_history(client: Any, table: str) -> Counter[tuple[str, str, int]]:
    """(entityId, event, version) -> entries, over the whole history table."""
    found: Counter[tuple[str, str, int]] = Counter()
    paginator = client.get_paginator("scan")
    async for page in paginator.paginate(
        TableName=table,
        ProjectionExpression="entityId, #e, version",
        ExpressionAttributeNames={"#e": "event"},
    ):
        for item in page.get("Items", []):
            if item["entityId"]["S"].startswith("facets#"):  # the shop's counters, no entry
                continue
            version = int(item["version"]["N"]) if "version" in item else -1
            found[(item["entityId"]["S"], item["event"]["S"], version)] += 1
    return found


async def put_all(client: Any, table: str, items: list[dict[str, Any]], in_flight: int) -> int:
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


def rekey(items: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The same wire items under new keys (each baseline writes keys of its own)."""
    return [{**item, "entityId": {"S": prefix + item["entityId"]["S"]}} for item in items]


@dataclass
class Rig:
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


async def drain(rig: Rig, count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Time the drain of `count` pending records; (figures, their entries in wire form)."""
    from bench.harness.graph_store import to_wire
    from graph.audit.entries import entry_for

    rig.handler.reset()
    rig.reader.log.clear()
    written_before, batches_before = rig.consumer.written, rig.runner.batches
    cpu_start = CpuSnapshot.take(rig.watch)
    t0 = time.perf_counter()
    drained = await rig.runner.drain()
    drain_end = time.perf_counter()
    cpu = CpuSnapshot.take(rig.watch).since(cpu_start, own="bench")[0]
    records_s = rig.handler.last_ack - t0
    written = rig.consumer.written - written_before
    if drained != count or written != count or rig.handler.failures:
        raise RuntimeError(
            f"{count} writes: {drained} records acknowledged, {written} history entries "
            f"written, {rig.handler.failures} failed"
        )
    stream = stream_time(rig.reader.log, rig.handler.last_ack)
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


async def baseline(rig: Rig, wire: list[dict[str, Any]], prefix: str, batch: int) -> dict[str, Any]:
    """Conditional PutItems of pre-built entries: `batch` in flight, then one at a time."""
    table = rig.base_tenant.tables.history
    batch_items, sequential = rekey(wire, prefix + "b#"), rekey(wire, prefix + "s#")
    cpu_start = CpuSnapshot.take(rig.watch)
    t0 = time.perf_counter()
    put_batch = await put_all(rig.ddb, table, batch_items, batch)
    batch_s = time.perf_counter() - t0
    cpu = CpuSnapshot.take(rig.watch).since(cpu_start, own="bench")[0]
    t0 = time.perf_counter()
    put_seq = await put_all(rig.ddb, table, sequential, 1)
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
