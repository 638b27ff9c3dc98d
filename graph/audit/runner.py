"""The local stream runner: feeds DynamoDB Local's streams to the audit consumer.

It plays Lambda's part in production: reads each shard in order, hands batches to the
same handler the audit Lambda runs, and checkpoints per shard only what the handler
acknowledged. A failed record (partial batch failure) and everything after it are
delivered again; a runner that dies mid-batch resumes from its last checkpoint.
Delivery is at least once; the consumer's conditional puts make it exactly once in
history.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from graph.store import Shard, StreamReader

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], dict[str, Any]]


class Checkpoints(Protocol):
    def get(self, shard: Shard) -> str | None: ...

    def put(self, shard: Shard, sequence: str) -> None: ...


class MemoryCheckpoints:
    def __init__(self) -> None:
        self.positions: dict[tuple[str, str], str] = {}

    def get(self, shard: Shard) -> str | None:
        return self.positions.get((shard.stream_arn, shard.shard_id))

    def put(self, shard: Shard, sequence: str) -> None:
        self.positions[(shard.stream_arn, shard.shard_id)] = sequence


class FileCheckpoints(MemoryCheckpoints):
    """Checkpoints in a JSON file, replaced atomically, so a restart resumes."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        if path.exists():
            for key, sequence in json.loads(path.read_text()).items():
                arn, shard_id = key.rsplit("|", 1)
                self.positions[(arn, shard_id)] = sequence

    def put(self, shard: Shard, sequence: str) -> None:
        super().put(shard, sequence)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = {f"{arn}|{shard_id}": seq for (arn, shard_id), seq in self.positions.items()}
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.path)


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda delivers: with the source ARN, and the
    creation time as epoch seconds (botocore parses it to a datetime)."""
    data = dict(record["dynamodb"])
    created = data.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        data["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": data, "eventSourceARN": stream_arn}


class StreamRunner:
    def __init__(
        self,
        reader: StreamReader,
        handler: Handler,
        tables: Iterable[str],
        checkpoints: Checkpoints,
        *,
        batch_size: int = 100,
    ) -> None:
        self.reader = reader
        self.handler = handler
        self.tables = list(tables)
        self.checkpoints = checkpoints
        self.batch_size = batch_size
        self._arns: dict[str, str] = {}
        self._iterators: dict[Shard, str | None] = {}
        self.delivered = 0
        self.batches = 0

    async def _shards(self) -> list[Shard]:
        shards: list[Shard] = []
        for table in self.tables:
            if table not in self._arns:
                self._arns[table] = await self.reader.stream_arn(table)
            shards.extend(await self.reader.shards(self._arns[table]))
        return shards

    async def _next_iterator(self, shard: Shard) -> str | None:
        if shard not in self._iterators:
            self._iterators[shard] = await self.reader.iterator(shard, self.checkpoints.get(shard))
        return self._iterators[shard]

    async def poll_once(self) -> int:
        """One batch from every shard with records; the number of records acknowledged."""
        acknowledged = 0
        for shard in await self._shards():
            iterator = await self._next_iterator(shard)
            if iterator is None:
                continue  # a closed shard, read to its end
            records, next_iterator = await self.reader.read(iterator, self.batch_size)
            if not records:
                self._iterators[shard] = next_iterator
                continue
            acknowledged += await self._deliver(shard, records, next_iterator)
        return acknowledged

    async def _deliver(
        self, shard: Shard, records: list[dict[str, Any]], next_iterator: str | None
    ) -> int:
        event = {"Records": [lambda_record(r, shard.stream_arn) for r in records]}
        self.batches += 1
        response = await asyncio.to_thread(self.handler, event)
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        done = 0
        for record in records:
            if record["dynamodb"]["SequenceNumber"] in failed:
                break
            done += 1
        if done:
            self.checkpoints.put(shard, records[done - 1]["dynamodb"]["SequenceNumber"])
        if done < len(records):
            log.warning(
                "%d of %d records failed; redelivering from the first failure",
                len(records) - done,
                len(records),
            )
            self._iterators.pop(shard, None)  # re-read after the checkpoint
        else:
            self._iterators[shard] = next_iterator
        self.delivered += done
        return done

    async def drain(self, *, idle_polls: int = 2, max_polls: int = 10_000) -> int:
        """Poll until `idle_polls` polls in a row find nothing; the records acknowledged."""
        total = idle = 0
        for _ in range(max_polls):
            got = await self.poll_once()
            total += got
            idle = 0 if got else idle + 1
            if idle >= idle_polls:
                break
        return total

    async def run_forever(
        self, *, interval: float = 0.5, stop: Callable[[], bool] | None = None
    ) -> None:
        """Poll until cancelled or, between batches, until `stop()` is true (so no
        batch is left half-written when the dev stack shuts down)."""
        while stop is None or not stop():
            try:
                if not await self.poll_once():
                    await asyncio.sleep(interval)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the dev loop alive; the checkpoint is safe
                log.exception("stream runner poll failed; retrying")
                self._iterators.clear()
                await asyncio.sleep(interval)
