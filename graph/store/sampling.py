"""A bounded sample of a tenant's items, for advice in `graph extensions check`.

One Scan page after another until `limit` items were read (at most `max_pages` calls),
projected to the key and the `custom` map: a few read units, never a full table read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


class SampleUnavailable(RuntimeError):
    """The sample could not be read (no table, no credentials, endpoint down)."""


@dataclass(frozen=True)
class CustomPresence:
    """How many sampled items carry each custom field."""

    sampled: int
    carrying: dict[str, int] = field(default_factory=dict)


async def custom_presence(
    client: Any,
    table: str,
    key: str,
    names: Iterable[str],
    *,
    limit: int = 500,
    max_pages: int = 5,
) -> CustomPresence:
    """Count, over at most `limit` items of `table` with attribute `key`, the items whose
    `custom` map holds each of `names`."""
    wanted = list(names)
    counts = dict.fromkeys(wanted, 0)
    sampled = 0
    request: dict[str, Any] = {
        "TableName": table,
        "ProjectionExpression": "#k, #c",
        "ExpressionAttributeNames": {"#k": key, "#c": "custom"},
    }
    for _ in range(max_pages):
        try:
            page = await client.scan(**request, Limit=limit - sampled)
        except (BotoCoreError, ClientError) as exc:
            raise SampleUnavailable(f"cannot read a sample of {table}: {exc}") from exc
        for item in page.get("Items", []):
            if key not in item:
                continue
            sampled += 1
            custom = item.get("custom", {}).get("M", {})
            for name in wanted:
                if name in custom and "NULL" not in custom[name]:
                    counts[name] += 1
        start = page.get("LastEvaluatedKey")
        if start is None or sampled >= limit:
            break
        request["ExclusiveStartKey"] = start
    return CustomPresence(sampled, counts)
