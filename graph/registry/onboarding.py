"""Tenant lifecycle: onboard, list, rotate a key, offboard. Used by `graph tenants ...`.

Onboarding creates the tenant's tables (idempotently) and waits until they are ACTIVE,
creates a read and a write key (printed once, stored only as hashes), and writes the
registry entry and an empty extension file. Given the local S3 server's client (dev and
tests: `GRAPH_S3_ENDPOINT`), it also creates the tenant's photo bucket with its CORS
and read policy before the registry entry exists, so the tenant's first
stagePhotoUploads finds it; on AWS the Terraform module creates the bucket.
"""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from graph.registry.tenants import (
    ApiKeyConfig,
    RegistryError,
    Scope,
    Tenant,
    TenantConfig,
    load_registry,
    load_tenant_file,
    new_api_key,
)
from graph.settings import Settings
from graph.store import (
    TableNames,
    create_bucket,
    create_tables,
    delete_tables,
    export_table,
    physical_table_names,
)

Say = Callable[[str], None]
EXTENSION_TEMPLATE = """\
# Custom fields of tenant {id!r} ({name}).
# Declare typed fields for listings and sellers here; see README.md, "Custom fields".
"""


@dataclass
class OnboardResult:
    tenant_id: str
    tables: dict[str, str]
    new_keys: dict[str, str] = field(default_factory=dict)
    #: The photo bucket on the local S3 server: "created" or "exists" (None: not asked).
    bucket: str | None = None
    registry_written: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        created = [*self.tables.values(), self.bucket]
        return self.registry_written or "created" in created


def registry_path(settings: Settings, tenant_id: str) -> Path:
    return settings.tenants_dir / "registry" / f"{tenant_id}.toml"


def extension_path(settings: Settings, tenant_id: str) -> Path:
    return settings.tenants_dir / "extensions" / f"{tenant_id}.toml"


def write_tenant(settings: Settings, config: TenantConfig) -> Path:
    path = registry_path(settings, config.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = config.model_dump(mode="json", exclude_none=True)
    for key in data.get("keys", []):
        key["scopes"] = sorted(key["scopes"])
        key["stages"] = sorted(key["stages"])
    header = f"# Tenant registry entry for {config.id!r}; written by `graph tenants`.\n"
    path.write_text(header + tomli_w.dumps(data))
    return path


def _new_key(tenant_id: str, scope: Scope) -> tuple[str, ApiKeyConfig]:
    key_id = f"{tenant_id}-{scope}-{secrets.token_hex(3)}"
    raw, digest = new_api_key(key_id)
    return raw, ApiKeyConfig(id=key_id, sha256=digest, scopes=frozenset({scope}))


async def onboard(
    client: Any,
    settings: Settings,
    tenant_id: str,
    *,
    name: str,
    origins: tuple[str, ...] = (),
    region: str | None = None,
    role_arn: str | None = None,
    say: Say = print,
    s3: Any = None,
) -> OnboardResult:
    """`s3`: the local S3 server's client, to create the tenant's photo bucket there."""
    started = time.perf_counter()
    path = registry_path(settings, tenant_id)
    if path.exists():
        tenant = load_tenant_file(path, settings.stage)
        say(f"[1/3] {tenant_id} is already in the registry ({path}); keys unchanged")
        config = tenant.config
    else:
        config = TenantConfig.model_validate(
            {
                "id": tenant_id,
                "name": name,
                "region": region or settings.region,
                "role_arn": role_arn,
                "origins": origins,
            }
        )
        say(f"[1/3] registry entry validated for {tenant_id} ({name})")
    tables = TableNames.from_mapping(
        config.tables or physical_table_names(settings.stage, config.id)
    )
    outcome = await create_tables(client, tables)
    for table, state in outcome.items():
        say(f"[2/3] table {table}: {'created, ACTIVE' if state == 'created' else 'exists'}")
    result = OnboardResult(tenant_id=tenant_id, tables=outcome)
    if s3 is not None:
        # Before the registry entry: a gateway reloading the registry may serve the
        # tenant's first request at once, and its upload forms name this bucket.
        bucket = Tenant(config=config, tables=tables).photos_bucket
        created = await create_bucket(s3, bucket, origins=config.origins)
        result.bucket = "created" if created else "exists"
        say(f"[2/3] photo bucket {bucket} (local S3): {result.bucket}, CORS for its origins")
    if not path.exists():
        keys = []
        for scope in ("read", "write"):
            raw, key = _new_key(tenant_id, scope)
            keys.append(key)
            result.new_keys[key.id] = raw
        config = config.model_copy(update={"keys": tuple(keys)})
        write_tenant(settings, config)
        result.registry_written = True
        extension = extension_path(settings, tenant_id)
        if not extension.exists():
            extension.parent.mkdir(parents=True, exist_ok=True)
            extension.write_text(EXTENSION_TEMPLATE.format(id=tenant_id, name=config.name))
        say(f"[3/3] wrote {path} and {extension}; created keys {', '.join(result.new_keys)}")
    else:
        say("[3/3] nothing to write")
    result.seconds = time.perf_counter() - started
    return result


def rotate_key(
    settings: Settings, tenant_id: str, key_id: str, *, keep_old: bool = False
) -> tuple[str, str]:
    """Replace `key_id` with a new key of the same scopes; returns (new id, raw key)."""
    path = registry_path(settings, tenant_id)
    if not path.exists():
        raise RegistryError(f"no tenant {tenant_id!r}: {path} does not exist")
    config = load_tenant_file(path, settings.stage).config
    old = next((k for k in config.keys if k.id == key_id), None)
    if old is None:
        known = ", ".join(k.id for k in config.keys) or "none"
        raise RegistryError(f"tenant {tenant_id!r} has no key {key_id!r} (keys: {known})")
    scope: Scope = max(old.scopes, key=["read", "write", "admin"].index)
    raw, new = _new_key(tenant_id, scope)
    new = new.model_copy(update={"scopes": old.scopes, "stages": old.stages})
    keys = [k for k in config.keys if keep_old or k.id != key_id] + [new]
    write_tenant(settings, config.model_copy(update={"keys": tuple(keys)}))
    return new.id, raw


async def offboard(
    client: Any,
    settings: Settings,
    tenant_id: str,
    *,
    backup: bool = True,
    say: Say = print,
    progress: Callable[[str], Callable[[int, int | None], None]] | None = None,
) -> Path | None:
    """Export (unless told not to), then delete the tenant's tables and registry entry.

    `progress(table)` gives the callback that follows one table's export."""
    registry = load_registry(settings.tenants_dir, settings.stage)
    tenant = registry.tenants.get(tenant_id)
    if tenant is None:
        raise RegistryError(f"no tenant {tenant_id!r} in {settings.tenants_dir / 'registry'}")
    folder = None
    if backup:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = settings.tenants_dir.parent / "backups" / f"{tenant_id}-{stamp}"
        folder.mkdir(parents=True)
        for table in tenant.tables.all():
            with (folder / f"{table}.jsonl").open("w") as out:
                count = await export_table(
                    client, table, out, progress(table) if progress else None
                )
            say(f"backed up {count} items of {table} to {folder}")
        shutil.copy(registry_path(settings, tenant_id), folder / "registry.toml")
    for table in await delete_tables(client, tenant.tables):
        say(f"deleted table {table}")
    registry_path(settings, tenant_id).unlink()
    extension = extension_path(settings, tenant_id)
    if extension.exists():
        if folder is not None:
            shutil.copy(extension, folder / "extension.toml")
        extension.unlink()
    say(f"removed {tenant_id} from the registry")
    return folder
