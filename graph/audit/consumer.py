"""AuditConsumer: the audit Lambda's logic, also run locally by the stream runner.

Each DynamoDB Streams record of a tenant's listings or sellers table becomes one
history entry, written with a conditional put keyed by the record's sequence, so a
redelivered record adds nothing and a failed one is reported back (partial batch
failure) and retried. Powertools' batch processor does the bookkeeping.

The consumer keeps its own event loop in a background thread, holding the one
long-lived DynamoDB client of the execution environment. A batch's writes are handed
to that loop at once, and the batch processor then reports each record's outcome.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from contextlib import AsyncExitStack
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from graph.audit.entries import UnknownSource, entry_for, source_table
from graph.audit.renditions import unused_renditions
from graph.extensions import indexed_fields
from graph.extensions.parser import load_spec
from graph.registry.tenants import Registry, Tenant
from graph.settings import Settings
from graph.store import (
    AuditStore,
    IndexedField,
    PhotoBucket,
    deltas_of,
    facet_values,
    freeze_long_lived,
    from_wire,
    open_dynamodb,
    open_s3,
)


class AuditConsumer:
    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        *,
        client: Any | None = None,
        s3: Any | None = None,
    ):
        self.settings = settings
        #: Source table name -> (tenant, entity type). Built once from the registry.
        self._sources: dict[str, tuple[Tenant, str]] = {}
        for tenant in registry.tenants.values():
            self._sources[tenant.tables.listings] = (tenant, "LISTING")
            self._sources[tenant.tables.sellers] = (tenant, "SELLER")
        self._given_client = client
        self._client: Any = client
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._exit = AsyncExitStack()
        self._stores: dict[str, AuditStore] = {}
        #: Each tenant's indexed listing fields (its facet counters), read once.
        self._indexed: dict[str, tuple[IndexedField, ...]] = {}
        #: One counted write at a time per tenant (on the I/O loop): the records of a
        #: batch all add to the same counter items, and concurrent transactions on one
        #: item cancel each other (TransactionConflict) instead of queueing.
        self._counting: dict[str, asyncio.Lock] = {}
        #: The S3 client, opened at the first rendition to delete (most records have none).
        self._given_s3 = s3
        self._s3: Any = s3
        self.renditions_deleted = 0
        self._lock = threading.Lock()
        self.written = 0
        self.duplicates = 0

    # -- the consumer's own loop and client --------------------------------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name="audit-io", daemon=True
                )
                self._thread.start()
                self._loop = loop
            return self._loop

    def _submit(self, coro: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_loop())

    async def _get_client(self) -> Any:
        if self._client is None:
            # Its only requests are conditional puts of entries `to_wire` encoded: botocore's
            # client-side walk of each Item (a sixth of a put's CPU) checks nothing
            # DynamoDB does not check again.
            self._client = await self._exit.enter_async_context(
                open_dynamodb(self.settings, lean=True)
            )
            freeze_long_lived()  # its service model lives as long as the process
        return self._client

    async def _store(self, tenant: Tenant) -> AuditStore:
        """The tenant's store (on the I/O loop only), made once per client."""
        store = self._stores.get(tenant.id)
        if store is None:
            # The only store with a history writer: a request's TenantStore cannot append.
            store = self._stores[tenant.id] = AuditStore(await self._get_client(), tenant.tables)
        return store

    async def _append(
        self, tenant: Tenant, entry: dict[str, Any], deltas: dict[str, dict[str, int]]
    ) -> bool:
        store = await self._store(tenant)
        if deltas:  # the entry and the facet counters' changes, at most once together
            async with self._counting.setdefault(tenant.id, asyncio.Lock()):
                return await store.facets.append(entry, deltas)
        return await store.history.append(entry)

    def _fields(self, tenant: Tenant) -> tuple[IndexedField, ...]:
        found = self._indexed.get(tenant.id)
        if found is None:
            spec = load_spec(self.settings.tenants_dir, tenant.id)
            found = self._indexed[tenant.id] = IndexedField.of(indexed_fields(spec))
        return found

    async def _get_s3(self) -> Any:
        if self._s3 is None:
            self._s3 = await self._exit.enter_async_context(open_s3(self.settings))
        return self._s3

    async def _delete_renditions(self, tenant: Tenant, keys: list[str]) -> None:
        """After the history recorded the change: the tenant's bucket only."""
        await PhotoBucket(self._get_s3, tenant.photos_bucket, "").delete(keys)
        self.renditions_deleted += len(keys)

    def close(self) -> None:
        if self._loop is None:
            return
        if self._given_client is None:
            self._submit(self._exit.aclose()).result(timeout=10)
        loop, thread = self._loop, self._thread
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)
        loop.close()
        self._loop = None
        self._thread = None
        self._client = self._given_client
        self._s3 = self._given_s3
        self._stores = {}
        self._counting = {}

    # -- records ----------------------------------------------------------------

    def _entry(
        self, raw: dict[str, Any]
    ) -> tuple[Tenant, dict[str, Any], dict[str, dict[str, int]]]:
        """The record's tenant, history entry and facet counter changes."""
        table = source_table(raw)
        source = self._sources.get(table)
        if source is None:
            raise UnknownSource(f"no tenant table {table!r}: record {raw.get('eventID')}")
        tenant, entity_type = source
        deltas: dict[str, dict[str, int]] = {}
        if entity_type == "LISTING":
            fields = self._fields(tenant)
            data = raw["dynamodb"]
            deltas = deltas_of(
                from_wire(data.get("OldImage", {})),
                from_wire(data.get("NewImage", {})),
                lambda image: facet_values(image, fields),
            )
        return tenant, entry_for(raw, entity_type), deltas

    async def _append_all(self, records: list[dict[str, Any]]) -> list[bool | BaseException]:
        """Every record's conditional put, all in flight at once on the I/O loop."""

        async def one(raw: dict[str, Any]) -> bool:
            tenant, entry, deltas = self._entry(raw)
            written = await self._append(tenant, entry, deltas)
            unused = unused_renditions(raw) if entry.get("entityType") == "LISTING" else []
            if unused:  # a replayed record deletes again: deleting is idempotent
                await self._delete_renditions(tenant, unused)
            return written

        return await asyncio.gather(*(one(raw) for raw in records), return_exceptions=True)

    def handle(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        """Process one Lambda DynamoDB Streams event; return the partial batch response.

        The batch's writes go to the I/O loop together (one hand-over, not one per
        record); Powertools' batch processor then reports each record's outcome, so a
        failed record is retried and the others are not. Safe to call from several
        threads at once (the local runner hands over batches of several shards)."""
        records: list[dict[str, Any]] = list(event.get("Records") or [])
        if not records:  # Lambda never sends one; a runner or a retry tool might
            return {"batchItemFailures": []}
        outcomes = self._submit(self._append_all(records)).result()
        # Powertools wraps the event's own record dicts, so identity finds the outcome.
        by_record = {id(raw): outcome for raw, outcome in zip(records, outcomes, strict=True)}
        tally = {True: 0, False: 0}

        async def record_handler(record: DynamoDBRecord) -> None:
            outcome = by_record[id(record.raw_event)]
            if isinstance(outcome, BaseException):
                raise outcome
            tally[outcome] += 1

        processor = AsyncBatchProcessor(
            event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
        )
        response = async_process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        with self._lock:
            self.written += tally[True]
            self.duplicates += tally[False]
        return dict(response)
