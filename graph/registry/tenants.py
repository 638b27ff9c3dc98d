"""The tenant registry (config as code) and tenant resolution from an API key.

Each tenant is one TOML file, `tenants/registry/<id>.toml`, validated with pydantic
when the process starts. API keys are stored only as SHA-256 hashes; a key looks like
`rg_<key id>_<secret>`, so the key id finds the candidate in O(1) and the secret's hash
is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.store import LOGICAL_NAMES, TableNames, physical_table_names

Scope = Literal["read", "write", "admin"]
StageName = Literal["dev", "test", "prod"]
SCOPE_LEVEL: dict[str, int] = {"read": 1, "write": 2, "admin": 3}
TENANT_ID = r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$"
KEY_ID = r"^[a-z0-9][a-z0-9-]{2,62}$"
BUCKET = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
_KEY_FORMAT = re.compile(r"^rg_([a-z0-9][a-z0-9-]{2,62})_([A-Za-z0-9_-]{16,128})$")


class RegistryError(ValueError):
    """The tenant registry is invalid; the message names the file, tenant and field."""


class ApiKeyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=KEY_ID)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    scopes: frozenset[Scope]
    #: Stages where the key is accepted; the fixed development keys say ["dev", "test"].
    stages: frozenset[StageName] = frozenset({"dev", "test", "prod"})
    label: str = ""


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_depth: int = Field(default=10, ge=1, le=50)
    max_aliases: int = Field(default=15, ge=0, le=500)
    max_root_fields: int = Field(default=10, ge=1, le=100)
    max_tokens: int = Field(default=2_000, ge=50, le=100_000)
    max_directives: int = Field(default=20, ge=0, le=500)
    max_cost: int = Field(default=5_000, ge=1)
    #: Token bucket charged by cost: refill per second and capacity.
    cost_per_second: float = Field(default=10_000.0, gt=0)
    cost_burst: float = Field(default=20_000.0, gt=0)
    #: Requests of one tenant in flight at once in one process: small, so a flood from
    #: one tenant leaves room for the others (bench/: noisy neighbour). The process's
    #: pool (GRAPH_MAX_IN_FLIGHT, shared fairly between tenants) caps it as well.
    max_concurrency: int = Field(default=8, ge=1)
    #: Run only the operations listed in `tenants/persisted/<id>.json` (an Apollo
    #: persisted-query manifest); anything else is FORBIDDEN (graph/http/persisted.py).
    safelist: bool = False


class TenantConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=TENANT_ID)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    region: str = "us-east-1"
    #: Physical table names by logical name; default `<stage>-<id>-<table>`.
    tables: dict[str, str] | None = None
    role_arn: Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")] | None = None
    origins: tuple[str, ...] = ()
    keys: tuple[ApiKeyConfig, ...] = ()
    limits: Limits = Limits()
    #: The tenant's photo bucket (issue 27); default: the listings table's name with
    #: `listings` → `photos` (`dev-kicks-photos`). GRAPH_PHOTOS_BUCKET in the tenant's
    #: Lambda overrides it (graph/lambdas/bootstrap.py).
    photos_bucket: Annotated[str, Field(pattern=BUCKET)] | None = None
    #: Where its renditions are served: the CDN on AWS; default the bucket's own URL
    #: (on the local S3 server in dev: `<GRAPH_S3_ENDPOINT>/<bucket>`).
    photos_public_url: Annotated[str, Field(pattern=r"^https?://[^\s?#]{1,500}$")] | None = None

    @field_validator("tables")
    @classmethod
    def _all_tables_named(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        # `uploads` may be left out: it defaults from the listings table's name.
        if value is not None and set(value) - {"uploads"} != set(LOGICAL_NAMES) - {"uploads"}:
            raise ValueError(f"must name exactly the tables {sorted(LOGICAL_NAMES)}")
        for name in (value or {}).values():
            if not 3 <= len(name) <= 255 or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
                raise ValueError(f"{name!r} is not a valid DynamoDB table name")
        return value

    @field_validator("origins")
    @classmethod
    def _origins_are_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
                raise ValueError(f"{origin!r} is not an origin: use scheme://host[:port], no path")
        return value


@dataclass(frozen=True)
class Tenant:
    config: TenantConfig
    tables: TableNames

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def limits(self) -> Limits:
        return self.config.limits

    @property
    def photos_bucket(self) -> str:
        """The tenant's photo bucket: configured, or derived from its listings table."""
        if self.config.photos_bucket:
            return self.config.photos_bucket
        head, found, tail = self.tables.listings.rpartition("listings")
        name = f"{head}photos{tail}" if found else f"{self.tables.listings}-photos"
        name = re.sub(r"[^a-z0-9.-]+", "-", name.lower()).strip("-.")[:63]
        return name if len(name) >= 3 else f"{self.id}-photos"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant the key belongs to, the key id and its scopes."""

    tenant: Tenant
    key_id: str
    scopes: frozenset[str]

    def can(self, scope: Scope) -> bool:
        """Scopes nest: admin includes write, write includes read."""
        return any(SCOPE_LEVEL[have] >= SCOPE_LEVEL[scope] for have in self.scopes)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key(key_id: str) -> tuple[str, str]:
    """A fresh key `rg_<id>_<secret>` and the hash to store in the registry."""
    secret = secrets.token_urlsafe(32)
    return f"rg_{key_id}_{secret}", hash_secret(secret)


class Registry:
    def __init__(self, tenants: Iterable[Tenant], stage: str) -> None:
        self.stage = stage
        self.tenants: dict[str, Tenant] = {}
        self._keys: dict[str, tuple[Tenant, ApiKeyConfig]] = {}
        for tenant in tenants:
            if tenant.id in self.tenants:
                raise RegistryError(f"tenant {tenant.id!r} is registered twice")
            self.tenants[tenant.id] = tenant
            for key in tenant.config.keys:
                if key.id in self._keys:
                    raise RegistryError(
                        f"tenant {tenant.id!r}: key id {key.id!r} is already used by tenant "
                        f"{self._keys[key.id][0].id!r}; key ids are global"
                    )
                if stage in key.stages:
                    self._keys[key.id] = (tenant, key)

    def authenticate(self, raw_key: str) -> Principal | None:
        """The principal for a raw API key, or None for a missing/unknown/wrong key."""
        match = _KEY_FORMAT.match(raw_key)
        if match is None:
            return None
        key_id, secret = match.groups()
        entry = self._keys.get(key_id)
        expected = entry[1].sha256 if entry else "0" * 64
        # Compare even when the id is unknown, so timing does not reveal valid ids.
        ok = hmac.compare_digest(hash_secret(secret), expected)
        if entry is None or not ok:
            return None
        tenant, key = entry
        return Principal(tenant=tenant, key_id=key.id, scopes=frozenset(key.scopes))


def _describe(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "(top level)"
        parts.append(f"field `{where}`: {problem['msg']}")
    return "; ".join(parts)


def load_tenant_file(path: Path, stage: str) -> Tenant:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read tenant file: {exc}") from exc
    tenant_id = data.get("id", path.stem)
    if tenant_id != path.stem:
        raise RegistryError(f"{path}: tenant id {tenant_id!r} must match the file name")
    try:
        config = TenantConfig.model_validate(data)
    except ValidationError as exc:
        raise RegistryError(f"{path}: tenant {tenant_id!r}: {_describe(exc)}") from exc
    names = config.tables or physical_table_names(stage, config.id)
    return Tenant(config=config, tables=TableNames.from_mapping(names))


def load_registry(tenants_dir: Path, stage: str) -> Registry:
    """Read and validate `<tenants_dir>/registry/*.toml`."""
    folder = tenants_dir / "registry"
    if not folder.is_dir():
        raise RegistryError(f"{folder}: no tenant registry folder (expected <id>.toml files)")
    return Registry((load_tenant_file(p, stage) for p in sorted(folder.glob("*.toml"))), stage)


def registry_signature(tenants_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, modification times and sizes of the registry files (for dev reloads)."""
    folder = tenants_dir / "registry"
    stamps = []
    for path in sorted(folder.glob("*.toml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        stamps.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)
