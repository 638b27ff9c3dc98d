"""Audit entries: what changed, when, by whom, in which request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from graph.bounds import MAX_ENTRY_ATTRIBUTES
from graph.limits import MAX_ENTRIES
from graph.schema.pagination import PageInfo
from graph.store import Item, Page


@strawberry.enum
class AuditEvent(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    REMOVED = "REMOVED"


@strawberry.enum
class AuditEntityType(Enum):
    LISTING = "LISTING"
    SELLER = "SELLER"


def jsonable(value: Any) -> Any:
    """Stored values as JSON: exact decimals become strings (integers stay numbers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [jsonable(v) for v in value]
    return value


@strawberry.type(description="One changed field: its value before and after.")
class FieldChange:
    field: str
    old: JSON | None
    new: JSON | None


@strawberry.type(description="One change of a listing or seller, from the audit trail.")
class AuditEntry:
    id: strawberry.ID
    entity_type: AuditEntityType
    entity_id: strawberry.ID
    event: AuditEvent
    at: datetime
    actor: str = strawberry.field(description="The API key id that made the change.")
    request_id: str | None
    version: int | None
    changes: list[FieldChange] = strawberry.field(
        # The entity's own attributes, then each custom field the caller may see (the
        # tenant's schema adds its custom fields: graph/tenant_schema/build.py).
        metadata={MAX_ENTRIES: MAX_ENTRY_ATTRIBUTES}
    )

    @classmethod
    def from_item(cls, item: Item, visible: Visible) -> AuditEntry:
        return cls(
            id=strawberry.ID(f"{item['entityId']}@{item['atSequence']}"),
            entity_type=AuditEntityType(item["entityType"]),
            entity_id=strawberry.ID(item["entityKey"]),
            event=AuditEvent(item["event"]),
            at=datetime.fromisoformat(item["at"]),
            actor=item["actor"],
            request_id=item.get("requestId") or None,
            version=int(item["version"]) if item.get("version") is not None else None,
            changes=_changes(item, visible),
        )


#: Entity type -> the custom field names the caller may see.
Visible = Mapping[str, frozenset[str]]


def _changes(item: Item, visible: Visible) -> list[FieldChange]:
    """The entry's changes; `custom` is split per field, and fields the caller may not
    see (private custom fields, for storefront keys) are left out."""
    changes = []
    allowed = visible.get(item["entityType"], frozenset())
    own = 0
    for name, change in sorted(item.get("changes", {}).items()):
        if name != "custom":
            own += 1
            if own > MAX_ENTRY_ATTRIBUTES:
                continue  # the gateway writes fewer; the field's cost counts on it
            changes.append(
                FieldChange(
                    field=name, old=jsonable(change.get("old")), new=jsonable(change.get("new"))
                )
            )
            continue
        old, new = change.get("old") or {}, change.get("new") or {}
        for key in sorted(set(old) | set(new)):
            if key in allowed and old.get(key) != new.get(key):
                changes.append(
                    FieldChange(
                        field=f"custom.{to_camel_case(key)}",
                        old=jsonable(old.get(key)),
                        new=jsonable(new.get(key)),
                    )
                )
    return changes


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo


def audit_connection(page: Page, context: Any) -> AuditEntryConnection:
    private = context.principal.can("write")
    visible = {
        entity.upper(): frozenset(context.extension.fields(entity, private=private))
        for entity in ("listing", "seller")
    }
    return AuditEntryConnection(
        edges=[
            AuditEntryEdge(cursor=cursor, node=AuditEntry.from_item(item, visible))
            for item, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor=page.end_cursor,
        ),
    )
