"""Seeded tenant tables shared by the whole session, put back after every use.

Creating and seeding a tenant's four tables on DynamoDB Local costs about a second on
an idle machine and tens of seconds on a busy one, and most tests only read the demo
data. So a test gateway leases its tables from this pool instead of creating them: the
first lease of a (tenant, catalog, indexes) creates and seeds a set and snapshots it;
every release puts that set back to its snapshot before the next lease.

Putting back does not trust anyone to report what it wrote: release scans each table
and writes back the difference (changed and missing items put, extra items deleted),
so a write through any client or path is undone. A set whose tables were deleted or
whose shape changed (indexes, streams) is dropped instead, and the next lease creates
a new one. Two gateways of one test that ask for the same tenant get two sets.

What the pool cannot put back is a table's stream: a test that reads DynamoDB Streams
needs fresh tables (`open_gateway(..., fresh=True)`), and `make_audit` refuses a
gateway whose tables are leased.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from graph.store import TableNames, delete_tables

#: What a table's identity is made of: key attributes, index names, stream settings.
Shape = tuple[tuple[str, ...], tuple[str, ...], str]
#: A table's items in DynamoDB wire format, by their key (as a hashable tuple).
Items = dict[tuple[Any, ...], dict[str, Any]]

BATCH = 25


@dataclass
class TableSet:
    """One leased set of tables, its snapshot after seeding and its shape."""

    names: TableNames
    snapshot: dict[str, Items] = field(default_factory=dict)
    shapes: dict[str, Shape] = field(default_factory=dict)
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    leased: bool = False


def _key_of(item: Mapping[str, Any], attributes: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(repr(item[name]) for name in attributes)


async def table_shape(client: Any, table: str) -> tuple[Shape, tuple[str, ...]]:
    described = (await client.describe_table(TableName=table))["Table"]
    key = tuple(part["AttributeName"] for part in described["KeySchema"])
    indexes = tuple(sorted(i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])))
    stream = repr(sorted(described.get("StreamSpecification", {}).items()))
    return (key, indexes, stream), key


async def scan_items(client: Any, table: str, key: tuple[str, ...]) -> Items:
    items: Items = {}
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = await client.scan(**request)
        for item in page.get("Items", []):
            items[_key_of(item, key)] = item
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


async def _write(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    for start in range(0, len(requests), BATCH):
        pending: dict[str, Any] = {table: requests[start : start + BATCH]}
        while pending:
            response = await client.batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}


class TablePool:
    """The session's shared tenant tables (see the module docstring)."""

    def __init__(self) -> None:
        self._sets: dict[tuple[Any, ...], list[TableSet]] = {}
        self.created = 0
        self.restored_items = 0

    async def lease(
        self,
        client: Any,
        identity: tuple[Any, ...],
        tenant_id: str,
        create: Callable[[TableNames], Any],
    ) -> TableSet:
        """A set for `identity` no one holds; `create(names)` makes and seeds a new one."""
        for candidate in self._sets.get(identity, []):
            if not candidate.leased:
                candidate.leased = True
                return candidate
        run = uuid.uuid4().hex[:10]
        names = {n: f"s{run}-{tenant_id}-{n}" for n in ("listings", "sellers", "history")}
        made = TableSet(TableNames.from_mapping(names), leased=True)
        await create(made.names)
        for table in made.names.all():
            made.shapes[table], made.keys[table] = await table_shape(client, table)
            made.snapshot[table] = await scan_items(client, table, made.keys[table])
        self._sets.setdefault(identity, []).append(made)
        self.created += 1
        return made

    async def release(self, client: Any, leased: TableSet) -> None:
        """Put `leased` back to its snapshot, or drop it when that is not possible."""
        try:
            for table in leased.names.all():
                shape, _ = await table_shape(client, table)
                if shape != leased.shapes[table]:
                    raise LookupError(f"{table} changed shape during the test")
                await self._restore(client, table, leased)
        except (ClientError, LookupError):
            await self._drop(client, leased)
            return
        leased.leased = False

    async def _restore(self, client: Any, table: str, leased: TableSet) -> None:
        wanted = leased.snapshot[table]
        found = await scan_items(client, table, leased.keys[table])
        requests: list[dict[str, Any]] = [
            {"PutRequest": {"Item": item}} for key, item in wanted.items() if found.get(key) != item
        ]
        requests += [
            {"DeleteRequest": {"Key": {name: item[name] for name in leased.keys[table]}}}
            for key, item in found.items()
            if key not in wanted
        ]
        if requests:
            self.restored_items += len(requests)
            await _write(client, table, requests)

    async def _drop(self, client: Any, leased: TableSet) -> None:
        for sets in self._sets.values():
            if leased in sets:
                sets.remove(leased)
        with contextlib.suppress(ClientError):
            await delete_tables(client, leased.names)

    async def close(self, client: Any) -> None:
        """Delete every table of the pool (the session's end)."""
        for sets in list(self._sets.values()):
            for leased in list(sets):
                await self._drop(client, leased)

    def sets(self) -> Iterable[TableSet]:
        for sets in self._sets.values():
            yield from sets


#: The session's pool (one DynamoDB Local per session; see tests/conftest.py).
POOL = TablePool()
