"""What every command group shares: messages on stderr, a DynamoDB client (and the
local S3 server's) for one command, aligned columns."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from graph.settings import Settings


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def with_client(settings: Settings, work: Callable[[Any], Any]) -> Any:
    """Run `work(client)` with a DynamoDB client opened for this command and closed after."""
    from graph.store import open_dynamodb

    async with open_dynamodb(settings) as client:
        return await work(client)


async def with_clients(settings: Settings, work: Callable[[Any, Any], Any]) -> Any:
    """Run `work(client, s3)` with a DynamoDB client and, when `GRAPH_S3_ENDPOINT` names
    a local S3 server (dev), an S3 client for it (else None), closed after."""
    from graph.store import open_dynamodb, open_s3

    async with open_dynamodb(settings) as client:
        if not settings.s3_endpoint:
            return await work(client, None)
        async with open_s3(settings) as s3:
            return await work(client, s3)


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows as left-aligned columns, two spaces apart (the last column is not padded)."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


#: `progress(table)` -> `update(done, total)`: how an export reports its items.
ExportProgress = Callable[[str], Callable[[int, int | None], None]]


@contextmanager
def export_progress() -> Iterator[tuple[Callable[[str], None], ExportProgress]]:
    """(say, progress) for a table export: rich's progress bars when rich is installed
    (the `cli` extra), else one plain line per table on stderr. rich is not a runtime
    dependency: the Lambda package leaves it out."""
    try:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    except ImportError:
        yield say, _plain_progress
        return
    with Progress(
        TextColumn("exporting {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:

        def progress(table: str) -> Callable[[int, int | None], None]:
            task = bar.add_task(table, total=None)

            def update(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=max(total or 0, done) or None)

            return update

        yield bar.console.print, progress


def _plain_progress(table: str) -> Callable[[int, int | None], None]:
    def update(done: int, total: int | None) -> None:  # once per page read (1 MB)
        say(f"exporting {table}: {done}/{max(total or 0, done)}")

    return update
