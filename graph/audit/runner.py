"""The local stream runner: feeds DynamoDB Local's streams to the audit consumer.

It plays Lambda's part in production: reads each shard in order, hands batches to the
same handler the audit Lambda runs, and checkpoints per shard only what the handler
acknowledged. A failed record (partial batch failure) and everything after it are
delivered again; a runner that dies mid-batch resumes from its last checkpoint.
Delivery is at least once; the consumer's conditional puts make it exactly once in
history.

Like Lambda's poller, it polls the shards concurrently and reads ahead: while a
shard's batch is in the handler, its next batch (one, no more) is already being read.
A shard's batches still reach the handler one after the other, in order; a child shard
is read only once its parent is read to its end. A read-ahead batch is dropped when the
batch before it was not wholly acknowledged: the shard is then read again from its
checkpoint, so nothing is skipped and nothing is handed over twice by the runner.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import datetime
from typing import Any

from graph.audit.checkpoints import Checkpoints
from graph.store import Shard, StreamReader

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], dict[str, Any]]
#: What one GetRecords gives: the records and the iterator after them (None: the shard
#: is closed and read to its end).
Batch = tuple[list[dict[str, Any]], str | None]
#: A busy runner lists the shards again at least this often (an idle poll, a shard read
#: to its end or a failure lists them at the next poll).
SHARD_LIST_SECONDS = 30.0


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
        #: Where each shard's next batch starts (None: closed and read to its end).
        self._iterators: dict[Shard, str | None] = {}
        #: Each shard's next batch, read while the one before it is being handled.
        self._ahead: dict[Shard, asyncio.Task[Batch]] = {}
        #: Shards read to their end: (stream ARN, shard id).
        self._finished: set[tuple[str, str]] = set()
        self._listed: list[Shard] | None = None
        self._listed_at = 0.0
        self.delivered = 0
        self.batches = 0

    async def _shards(self) -> list[Shard]:
        """Every table's shards: listed again after an idle poll, when a shard was read
        to its end, after a failure, or every SHARD_LIST_SECONDS; else the last list."""
        now = time.monotonic()
        if self._listed is not None and now - self._listed_at < SHARD_LIST_SECONDS:
            return self._listed
        for table in self.tables:
            if table not in self._arns:
                self._arns[table] = await self.reader.stream_arn(table)
        described = await asyncio.gather(
            *(self.reader.shards(self._arns[table]) for table in self.tables)
        )
        self._listed = [shard for shards in described for shard in shards]
        self._listed_at = now
        return self._listed

    def _finish(self, shard: Shard) -> None:
        self._finished.add((shard.stream_arn, shard.shard_id))
        self._listed = None  # its children, if any, are read next

    def _ready(self, shard: Shard, listed: set[str]) -> bool:
        """Not read to its end yet, and its parent (if still listed) is: a key's changes
        in a child shard come after those in its parent."""
        if (shard.stream_arn, shard.shard_id) in self._finished:
            return False
        parent = shard.parent_id
        return (
            parent is None or parent not in listed or (shard.stream_arn, parent) in self._finished
        )

    @property
    def reading_ahead(self) -> int:
        """Batches being read (or read) ahead and not yet handed over: one per shard at
        most."""
        return len(self._ahead)

    async def poll_once(self) -> int:
        """One batch from every shard with records, the shards polled concurrently; the
        number of records acknowledged. Returns once every batch it handed over has been
        answered. If a handler call or a read fails, the runner forgets its positions
        and read-ahead batches (the next poll starts from the checkpoints) and the first
        error is raised."""
        try:
            shards = await self._shards()
            listed = {s.shard_id for s in shards}
            ready = [s for s in shards if self._ready(s, listed)]
            results = await asyncio.gather(
                *(self._poll_shard(s) for s in ready), return_exceptions=True
            )
        except BaseException:
            self.reset()
            raise
        for result in results:
            if isinstance(result, BaseException):
                self.reset()
                raise result
        acknowledged = sum(r for r in results if isinstance(r, int))
        if not acknowledged:
            self._listed = None  # idle: look for new shards before the next poll
        return acknowledged

    def reset(self) -> None:
        """Forget positions and drop read-ahead batches: read again from the checkpoints."""
        for task in self._ahead.values():
            _discard(task)
        self._ahead.clear()
        self._iterators.clear()
        self._listed = None

    async def _next_iterator(self, shard: Shard) -> str | None:
        if shard not in self._iterators:
            self._iterators[shard] = await self.reader.iterator(shard, self.checkpoints.get(shard))
        return self._iterators[shard]

    async def _read(self, shard: Shard) -> Batch | None:
        """The shard's next batch: the one read ahead if it holds records, else read now
        (a read-ahead that found nothing may predate newer records). None: closed and
        read to its end."""
        ahead = self._ahead.pop(shard, None)
        if ahead is not None:
            try:
                records, next_iterator = await ahead
            except asyncio.CancelledError:
                raise
            except Exception:  # read again below, from the same position
                log.warning("stream read-ahead failed; reading again", exc_info=True)
            else:
                if records or next_iterator is None:
                    return records, next_iterator
        iterator = await self._next_iterator(shard)
        if iterator is None:
            return None
        return await self.reader.read(iterator, self.batch_size)

    async def _poll_shard(self, shard: Shard) -> int:
        batch = await self._read(shard)
        if batch is None:
            self._finish(shard)
            return 0
        records, next_iterator = batch
        if not records:
            self._iterators[shard] = next_iterator
            if next_iterator is None:
                self._finish(shard)
            return 0
        if next_iterator is not None:
            self._ahead[shard] = asyncio.create_task(
                self.reader.read(next_iterator, self.batch_size)
            )
            await asyncio.sleep(0)  # the read is under way before the handler is called
        try:
            return await self._deliver(shard, records, next_iterator)
        except BaseException:
            self._drop(shard)
            raise

    def _drop(self, shard: Shard) -> None:
        """Discard the shard's read-ahead and position: it is read again after its
        checkpoint."""
        ahead = self._ahead.pop(shard, None)
        if ahead is not None:
            _discard(ahead)
        self._iterators.pop(shard, None)

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
            self._drop(shard)  # re-read after the checkpoint
        else:
            self._iterators[shard] = next_iterator
            if next_iterator is None:
                self._finish(shard)
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
        """Poll until cancelled or, between polls, until `stop()` is true (so no batch
        is left half-written when the dev stack shuts down). Read-ahead batches are
        dropped on the way out; the checkpoints hold what was acknowledged."""
        try:
            while stop is None or not stop():
                try:
                    if not await self.poll_once():
                        await asyncio.sleep(interval)
                except asyncio.CancelledError:
                    raise
                except Exception:  # keep the dev loop alive; the checkpoint is safe
                    log.exception("stream runner poll failed; retrying")
                    await asyncio.sleep(interval)
        finally:
            self.reset()


def _discard(task: asyncio.Task[Batch]) -> None:
    """Cancel a read-ahead; its result or error, if it already has one, is dropped."""
    if task.done():
        with suppress(asyncio.CancelledError, Exception):
            task.result()
    else:
        task.cancel()
