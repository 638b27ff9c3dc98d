"""`graph audit run`: the local runner of the audit trail's stream consumer."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.cli.common import say
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
    from graph.store import StreamReader, open_dynamodb, open_streams
    from graph.tenancy import load_registry

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


def cmd_audit_run(args: argparse.Namespace) -> int:
    settings = Settings()
    say(f"Audit runner: streams of every tenant on {settings.dynamodb_endpoint or 'AWS'} ...")
    asyncio.run(run_audit(settings, Path(args.checkpoints)))
    return 0


def add_audit(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit trail's stream consumer")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    run = asub.add_parser("run", help="poll the streams and write history (local runner)")
    run.add_argument("--checkpoints", default=".dev/audit-checkpoints.json")
    run.set_defaults(func=cmd_audit_run)
