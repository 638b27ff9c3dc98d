"""What every write resolver shares: its result (an item or user errors), the stamp of
who wrote it, and the preparation of custom fields (validation, defaults, hooks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from strawberry.utils.str_converters import to_camel_case

from graph.domain import UserError
from graph.errors import BadUserInput
from graph.extensions.api import HookError
from graph.extensions.graphql import extension_context
from graph.extensions.modules import call
from graph.extensions.spec import FieldSpec
from graph.extensions.values import stored_values, validate_values
from graph.resolvers.context import Context
from graph.store import Item, Stamp


@dataclass
class WriteResult:
    item: Item | None = None
    errors: list[UserError] = field(default_factory=list)


def stamp(ctx: Context) -> Stamp:
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    correlation = ctx.correlation_id or ""
    return Stamp(ctx.principal.key_id, ctx.request_id, now, correlation_id=correlation)


async def prepare(
    ctx: Context, entity: str, data: Mapping[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[UserError]]:
    """Run the tenant's write hooks, then check custom values and convert them to their
    stored form (defaults filled on create)."""
    prepared = dict(data)
    for hook in ctx.extension.module.hooks[entity]:
        try:
            changed = await call(hook, prepared, extension_context(ctx), creating=creating)
        except HookError as exc:
            raise BadUserInput(exc.message, field=list(exc.field)) from exc
        if changed is not None:
            prepared = dict(changed)
    fields = ctx.extension.fields(entity, private=ctx.principal.can("write"))
    custom = prepared.get("custom")
    if custom is None and not creating:
        prepared.pop("custom", None)
        return prepared, []
    errors = validate_values(fields, custom or {}, ("custom",), creating=creating)
    prepared["custom"] = stored_values(fields, custom or {}, creating=creating)
    return prepared, [replace(e, field=graphql_path(fields, e.field)) for e in errors]


def graphql_path(fields: Mapping[str, FieldSpec], path: tuple[str, ...]) -> tuple[str, ...]:
    """A custom value's error path in the names the client sends: declared fields are
    snake_case in the extension file and camelCase in GraphQL (`("custom", "size_label")`
    -> `("custom", "sizeLabel")`); list indexes and keys inside JSON values stay as sent."""
    out = list(path[:1])
    declared: Mapping[str, FieldSpec] = fields
    spec: FieldSpec | None = None
    for segment in path[1:]:
        if segment in declared:
            spec = declared[segment]
            out.append(to_camel_case(segment))
        elif spec is not None and spec.type == "list" and segment.isdigit():
            spec = spec.items
            out.append(segment)
        else:  # inside a JSON value (or not a declared field): as given
            out.extend(path[len(out) :])
            break
        declared = spec.fields if spec is not None and spec.type == "object" else {}
    return tuple(out)
