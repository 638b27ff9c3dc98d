"""Computed fields, checked against the tenant's declared fields when the extension loads.

For each `@computed` function of `tenants/extensions/<tenant>.py`:

- its `type` must be one the gateway can serve;
- every name in `reads` must be a declared custom field (of its own entity, or of the
  `seller.` / `listing.` it loads);
- its visibility is derived from what it reads: a field that reads a private custom
  field is private unless it explains, with `publish="..."`, why its value is safe to
  show to storefront keys. A value computed from private data tells that data (price
  over purchase price gives the purchase price), so it is private by default.

Every error names the module, the function and what to change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import get_args

from graph.extensions.api import ComputedSpec, ComputedType
from graph.extensions.modules import TenantModule
from graph.extensions.spec import ExtensionError, ExtensionSpec

SERVED_TYPES: tuple[str, ...] = get_args(ComputedType)
ENTITIES = ("listing", "seller")


def _where(module: TenantModule, spec: ComputedSpec) -> str:
    function = getattr(spec.fn, "__qualname__", spec.name)
    return f"{module.path}: @computed function {function!r}"


def _check(spec: ComputedSpec, ext: ExtensionSpec, module: TenantModule) -> ComputedSpec:
    where = _where(module, spec)
    if spec.type not in SERVED_TYPES:
        raise ExtensionError(
            f"{where} declares type={spec.type!r}, which is not a type a computed field can "
            f"have; use one of {', '.join(SERVED_TYPES)}."
        )
    private_reads = []
    for read in spec.reads:
        entity, _, name = read.rpartition(".")
        entity = entity or spec.entity
        if entity not in ENTITIES:
            raise ExtensionError(
                f"{where} reads {read!r}: prefix a field of another entity with "
                "'listing.' or 'seller.'."
            )
        declared = (ext.listing if entity == "listing" else ext.seller).fields
        field = declared.get(name)
        if field is None:
            known = ", ".join(sorted(declared)) or "none"
            raise ExtensionError(
                f"{where} reads {read!r}, which is not a declared custom field of {entity}s "
                f"(declared: {known}). Declare it in the extension file, or fix the name."
            )
        if field.visibility == "private":
            private_reads.append(read)
    if spec.publish is not None and not spec.publish.strip():
        raise ExtensionError(
            f"{where} has an empty `publish`: say why its value reveals nothing private, or "
            "remove `publish` to keep the field private."
        )
    if spec.visibility == "private":
        return spec
    if private_reads and spec.publish is None:
        return replace(spec, visibility="private")
    return spec


def resolve_computed(ext: ExtensionSpec, module: TenantModule) -> TenantModule:
    """The module with each computed field checked and its visibility derived."""
    resolved: dict[str, list[ComputedSpec]] = {}
    for entity, specs in module.computed.items():
        declared = (ext.listing if entity == "listing" else ext.seller).fields
        out = []
        for spec in specs:
            if spec.name in declared:
                raise ExtensionError(
                    f"{_where(module, spec)} is named {spec.name!r}, like a declared field of "
                    f"{entity}s; rename the function or pass name=... to @computed."
                )
            out.append(_check(spec, ext, module))
        resolved[entity] = out
    return replace(module, computed=resolved)
