"""Per-tenant schema extensions: typed custom fields, filters, computed fields, hooks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from graph.extensions.computed import resolve_computed
from graph.extensions.modules import TenantModule, load_module
from graph.extensions.parser import load_spec
from graph.extensions.spec import ExtensionError, ExtensionSpec, FieldSpec
from graph.extensions.values import default_stored


@dataclass(frozen=True)
class TenantExtension:
    tenant_id: str
    spec: ExtensionSpec
    module: TenantModule

    def fields(self, entity: str, *, private: bool) -> dict[str, FieldSpec]:
        """Declared fields of `listing` or `seller` that the caller may see."""
        declared = self.spec.listing.fields if entity == "listing" else self.spec.seller.fields
        return {n: f for n, f in declared.items() if private or f.visibility == "public"}

    @cached_property
    def indexed(self) -> tuple[tuple[str, Any], ...]:
        """The listing fields declared `indexed`, with their stored defaults: the shop's
        indexes and counts of this tenant (`graph.store.IndexedField.of`)."""
        return indexed_fields(self.spec)


def indexed_fields(spec: ExtensionSpec) -> tuple[tuple[str, Any], ...]:
    """(name, stored default or None) of each listing field declared `indexed`."""
    return tuple(
        (name, default_stored(field) if field.default is not None else None)
        for name, field in spec.listing.fields.items()
        if field.indexed
    )


def load_extension(tenants_dir: Path, tenant_id: str) -> TenantExtension:
    spec = load_spec(tenants_dir, tenant_id)
    module = resolve_computed(spec, load_module(tenants_dir, tenant_id))
    return TenantExtension(tenant_id, spec, module)


def signature(tenants_dir: Path, tenant_id: str) -> tuple[tuple[str, float], ...]:
    """Modification times of a tenant's extension files (for the dev reload switch)."""
    folder = tenants_dir / "extensions"
    stamps = []
    for suffix in (".toml", ".yaml", ".yml", ".py"):
        path = folder / f"{tenant_id}{suffix}"
        if path.exists():
            stamps.append((suffix, path.stat().st_mtime))
    return tuple(stamps)


__all__ = [
    "ExtensionError",
    "ExtensionSpec",
    "FieldSpec",
    "TenantExtension",
    "indexed_fields",
    "load_extension",
    "signature",
]
