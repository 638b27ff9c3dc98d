"""What every command group shares: messages on stderr, a DynamoDB client for one
command, aligned columns."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from graph.settings import Settings


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def with_client(settings: Settings, work: Callable[[Any], Any]) -> Any:
    """Run `work(client)` with a DynamoDB client opened for this command and closed after."""
    from graph.store import open_dynamodb

    async with open_dynamodb(settings) as client:
        return await work(client)


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows as left-aligned columns, two spaces apart (the last column is not padded)."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
