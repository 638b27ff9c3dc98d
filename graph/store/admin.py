"""Table administration: create (idempotently), wait until ACTIVE, delete, bulk load."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from graph.store.indexes import IndexedField, tenant_table_specs
from graph.store.items import to_wire
from graph.store.tables import TableNames

BATCH_WRITE_LIMIT = 25


async def _status(client: Any, table: str) -> str | None:
    try:
        described = await client.describe_table(TableName=table)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
    table_status: str = described["Table"]["TableStatus"]
    indexes = described["Table"].get("GlobalSecondaryIndexes", [])
    if table_status == "ACTIVE" and any(i.get("IndexStatus") != "ACTIVE" for i in indexes):
        return "CREATING"
    return table_status


async def create_tables(
    client: Any,
    tables: TableNames,
    *,
    indexed: Sequence[IndexedField] = (),
    wait_seconds: float = 60.0,
) -> dict[str, str]:
    """Create every missing table of a tenant and wait until all are ACTIVE; the
    listings table with the shop indexes of the tenant's `indexed` custom fields.

    Returns `{physical name: "created" | "exists"}`; a second run changes nothing.
    """
    names = tables.by_logical_name()
    outcome: dict[str, str] = {}
    for spec in tenant_table_specs(indexed):
        physical = names[spec.name]
        if await _status(client, physical) is not None:
            outcome[physical] = "exists"
            continue
        try:
            await client.create_table(**spec.create_table_request(physical))
            outcome[physical] = "created"
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
                raise
            outcome[physical] = "exists"
    deadline = time.monotonic() + wait_seconds
    pending = set(names.values())
    while pending:
        statuses = await asyncio.gather(*(_status(client, name) for name in sorted(pending)))
        pending = {
            name for name, st in zip(sorted(pending), statuses, strict=True) if st != "ACTIVE"
        }
        if pending and time.monotonic() > deadline:
            raise TimeoutError(f"tables not ACTIVE after {wait_seconds}s: {sorted(pending)}")
        if pending:
            await asyncio.sleep(0.2)
    return outcome


async def delete_tables(client: Any, tables: TableNames) -> list[str]:
    deleted = []
    for name in tables.all():
        try:
            await client.delete_table(TableName=name)
            deleted.append(name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
    return deleted


async def put_items(client: Any, table: str, items: Iterable[Mapping[str, Any]]) -> int:
    """Bulk write with BatchWriteItem (25 a call), retrying unprocessed items."""
    batch: list[dict[str, Any]] = []
    written = 0

    async def flush(requests: list[dict[str, Any]]) -> None:
        pending: dict[str, Any] = {table: requests}
        attempt = 0
        while pending:
            response = await client.batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if pending:
                attempt += 1
                await asyncio.sleep(min(1.0, 0.05 * 2**attempt))

    for item in items:
        batch.append({"PutRequest": {"Item": to_wire(item)}})
        if len(batch) == BATCH_WRITE_LIMIT:
            await flush(batch)
            written += len(batch)
            batch = []
    if batch:
        await flush(batch)
        written += len(batch)
    return written


async def export_table(
    client: Any,
    table: str,
    out: Any,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Write every item of `table` to `out` as DynamoDB JSON, one item a line.

    `progress(items written, estimated total)` is called after each page; the total is
    DescribeTable's ItemCount (DynamoDB refreshes it about every six hours)."""
    import json

    total: int | None = None
    if progress is not None:
        described = await client.describe_table(TableName=table)
        total = described["Table"].get("ItemCount")
        progress(0, total)
    count = 0
    paginator = client.get_paginator("scan")
    async for page in paginator.paginate(TableName=table):
        for item in page.get("Items", []):
            out.write(json.dumps(item, separators=(",", ":")) + "\n")
            count += 1
        if progress is not None:
            progress(count, total)
    return count
