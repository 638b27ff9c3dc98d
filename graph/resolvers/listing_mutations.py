"""Write resolvers: validate (domain), write conditionally (store), report.

Validation problems come back as `userErrors`; version races are CONFLICT errors and
forbidden status moves BAD_USER_INPUT errors, both with codes.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from strawberry.utils.str_converters import to_camel_case

from graph import domain
from graph.context import Context
from graph.domain import UserError, UserErrorCode
from graph.errors import BadUserInput, Conflict
from graph.extensions.api import HookError
from graph.extensions.graphql import extension_context
from graph.extensions.modules import call
from graph.extensions.spec import FieldSpec
from graph.extensions.values import stored_values, validate_values
from graph.store import ConditionFailed, Item, Stamp


@dataclass
class WriteResult:
    item: Item | None = None
    errors: list[UserError] = field(default_factory=list)


def stamp(ctx: Context) -> Stamp:
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    return Stamp(actor=ctx.principal.key_id, request_id=ctx.request_id, at=now)


def _fresh(ctx: Context, item: Item) -> Item:
    ctx.loaders.listings.clear(item["listingId"])
    ctx.loaders.listings.prime(item["listingId"], item)
    return item


def _not_found(listing_id: str) -> WriteResult:
    return WriteResult(
        errors=[UserError(("id",), f"There is no listing {listing_id!r}.", UserErrorCode.NOT_FOUND)]
    )


def _conflict(current: Item) -> Conflict:
    version = int(current["version"])
    return Conflict(
        f"The listing changed since version you read; it is now at version {version}. "
        "Read it again and retry with that expectedVersion.",
        currentVersion=version,
    )


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


async def create_listing(ctx: Context, data: Mapping[str, Any]) -> WriteResult:
    fingerprint_source = data
    data, custom_errors = await prepare(ctx, "listing", data, creating=True)
    errors = domain.validate_listing(data, creating=True) + custom_errors
    if errors:
        return WriteResult(errors=errors)
    if await ctx.loaders.sellers.load(data["sellerId"]) is None:
        return WriteResult(
            errors=[
                UserError(
                    ("sellerId",),
                    f"There is no seller {data['sellerId']!r}; create it with upsertSeller.",
                    UserErrorCode.NOT_FOUND,
                )
            ]
        )
    item: dict[str, Any] = {**data, "status": data.get("status") or "ACTIVE"}
    key = ctx.idempotency_key
    fingerprint = None
    if key is not None:
        problem = domain.idempotency_problem(key)
        if problem:
            raise BadUserInput(problem, header="Idempotency-Key")
        fingerprint = domain.request_fingerprint(fingerprint_source)
        item["listingId"] = domain.idempotent_listing_id(
            ctx.principal.tenant.id, ctx.principal.key_id, key
        )
        item["createFingerprint"] = fingerprint
    else:
        item["listingId"] = f"lst-{secrets.token_hex(10)}"
    try:
        created = await ctx.store.listings.create(item, stamp(ctx))
    except ConditionFailed as taken:
        existing = taken.item
        if (
            fingerprint is not None
            and existing
            and existing.get("createFingerprint") == fingerprint
        ):
            return WriteResult(item=_fresh(ctx, existing))  # a retry: nothing written
        raise BadUserInput(
            "This Idempotency-Key was already used with a different request body; "
            "use a new key for a new listing.",
            header="Idempotency-Key",
        ) from taken
    return WriteResult(item=_fresh(ctx, created))


async def update_listing(
    ctx: Context, listing_id: str, expected_version: int, changes: Mapping[str, Any]
) -> WriteResult:
    if not domain.valid_id(listing_id):
        return _not_found(listing_id)
    if not changes:
        return WriteResult(
            errors=[
                UserError(("input",), "Give at least one field to change.", UserErrorCode.REQUIRED)
            ]
        )
    changes, custom_errors = await prepare(ctx, "listing", changes, creating=False)
    errors = domain.validate_listing(changes, creating=False) + custom_errors
    if errors:
        return WriteResult(errors=errors)
    try:
        updated = await ctx.store.listings.update(
            listing_id, changes, stamp(ctx), expected_version=expected_version
        )
    except ConditionFailed as failed:
        if failed.item is None:
            return _not_found(listing_id)
        raise _conflict(failed.item) from failed
    return WriteResult(item=_fresh(ctx, updated))


async def set_listing_status(
    ctx: Context, listing_id: str, status: str, expected_version: int | None
) -> WriteResult:
    current = await ctx.store.listings.get_consistent(listing_id)
    if current is None:
        return _not_found(listing_id)
    if expected_version is not None and int(current["version"]) != expected_version:
        raise _conflict(current)
    if not domain.allowed(current["status"], status):
        raise BadUserInput(
            domain.transition_message(current["status"], status),
            currentStatus=current["status"],
        )
    try:
        updated = await ctx.store.listings.update(
            listing_id,
            {"status": status},
            stamp(ctx),
            expected_version=int(current["version"]),
            expected_status=current["status"],
        )
    except ConditionFailed as failed:
        if failed.item is None:
            return _not_found(listing_id)
        raise _conflict(failed.item) from failed
    return WriteResult(item=_fresh(ctx, updated))


async def upsert_seller(
    ctx: Context, seller_id: str, fields: Mapping[str, Any], expected_version: int | None
) -> WriteResult:
    errors: list[UserError] = []
    if not domain.valid_id(seller_id):
        errors.append(
            UserError(("id",), "Use 1 to 64 letters, digits, '-' or '_'.", UserErrorCode.INVALID)
        )
    fields, custom_errors = await prepare(ctx, "seller", fields, creating=False)
    errors.extend(custom_errors)
    name = fields.get("displayName")
    if name is not None and not 1 <= len(name.strip()) <= 80:
        errors.append(UserError(("displayName",), "Use 1 to 80 characters.", UserErrorCode.INVALID))
    if errors:
        return WriteResult(errors=errors)
    try:
        item = await ctx.store.sellers.upsert(
            seller_id, fields, stamp(ctx), expected_version=expected_version
        )
    except ConditionFailed as failed:
        if failed.item is None:
            return WriteResult(
                errors=[
                    UserError(
                        ("id",), f"There is no seller {seller_id!r}.", UserErrorCode.NOT_FOUND
                    )
                ]
            )
        version = int(failed.item.get("version", 0))
        raise Conflict(
            f"The seller is at version {version}, not {expected_version}; read it and retry.",
            currentVersion=version,
        ) from failed
    ctx.loaders.sellers.clear(seller_id)
    ctx.loaders.sellers.prime(seller_id, item)
    return WriteResult(item=item)
