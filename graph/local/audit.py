"""The local audit runner: DynamoDB Local has no Lambda to call, so this polls every
tenant's listings and sellers streams and feeds each batch to the audit consumer (the same
handler the audit Lambda runs) and, for listings, to the broker of live subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graph.settings import Settings


async def run_audit(
    settings: Settings, checkpoint_file: Path, stop: Callable[[], bool] | None = None
) -> None:
    """Feed every tenant's listings and sellers streams to the audit consumer, until
    `stop()` is true (checked between batches) or forever."""
    from graph.audit.checkpoints import FileCheckpoints
    from graph.audit.consumer import AuditConsumer
    from graph.audit.runner import StreamRunner
    from graph.events.broker import local_broker
    from graph.events.local import publishing
    from graph.registry.tenants import load_registry
    from graph.store import StreamReader, open_dynamodb, open_streams

    registry = load_registry(settings.tenants_dir, settings.stage)
    consumer = AuditConsumer(settings, registry)
    tables = [t for x in registry.tenants.values() for t in (x.tables.listings, x.tables.sellers)]
    try:
        async with open_dynamodb(settings) as ddb, open_streams(settings) as streams:
            runner = StreamRunner(
                StreamReader(ddb, streams),
                # Listings changes also go to live subscriptions (docs/events.md).
                publishing(consumer.handle, local_broker(), registry),
                tables,
                FileCheckpoints(checkpoint_file),
            )
            await runner.run_forever(stop=stop)
    finally:
        consumer.close()
