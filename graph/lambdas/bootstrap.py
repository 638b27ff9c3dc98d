"""What a Lambda function reads once per execution environment: settings, the cursor
secret, and the tenant registry narrowed to this account's tenant.

Settings in Lambda: `GRAPH_*` variables as everywhere (graph/settings.py), plus what the
Terraform module sets for the deployed function (`LambdaEnvironment`):

- `GRAPH_CURSOR_SECRET_ARN`: an SSM SecureString parameter or Secrets Manager secret ARN.
  The gateway fetches it once, on its first invocation, with Powertools' parameters
  utility. A plaintext `GRAPH_CURSOR_SECRET` (local use) wins and skips the fetch. The
  value is never logged.
- `GRAPH_TENANT_ID`: the tenant this account serves. The packaged registry
  (`tenants/registry/*.toml`) is narrowed to it, so another tenant's key is a 401 here,
  not an AccessDenied from tables this function's role cannot touch. Its tables are the
  module's (`GRAPH_TABLE_LISTINGS/SELLERS/HISTORY`) in this function's region
  (`GRAPH_REGION`), reached with the function's own role (no `role_arn` assumption: the
  function already runs in the tenant's account).
"""

from __future__ import annotations

import secrets

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.registry.tenants import Registry, RegistryError, Tenant, load_registry
from graph.settings import Settings
from graph.store import SECRET_ARN, TableNames, fetch_cursor_secret


class LambdaEnvironment(BaseSettings):
    """The variables the Terraform module sets beyond `Settings`' own (lambda.tf)."""

    model_config = SettingsConfigDict(env_prefix="GRAPH_", frozen=True, extra="ignore")

    cursor_secret_arn: str | None = None
    #: Set for the plaintext (local) secret; only its presence is read here.
    cursor_secret: SecretStr | None = None
    tenant_id: str | None = None
    table_listings: str | None = None
    table_sellers: str | None = None
    table_history: str | None = None
    #: Staged photo uploads (issue 27); default derived from the listings table's name.
    table_uploads: str | None = None
    #: The tenant's photo bucket and its CDN's URL (issue 27).
    photos_bucket: str | None = None
    photos_public_url: str | None = None

    @property
    def plaintext_secret(self) -> bool:
        """A non-empty `GRAPH_CURSOR_SECRET` is set (local use): no fetch by ARN."""
        return bool(self.cursor_secret and self.cursor_secret.get_secret_value())

    def table_names(self) -> TableNames | None:
        names = {
            "listings": self.table_listings,
            "sellers": self.table_sellers,
            "history": self.table_history,
        }
        given = {k: v for k, v in names.items() if v}
        if not given:
            return None
        if len(given) != len(names):
            missing = sorted(f"GRAPH_TABLE_{k.upper()}" for k in names if k not in given)
            raise RegistryError(f"set all three table variables or none; missing {missing}")
        return TableNames.from_mapping({**given, "uploads": self.table_uploads or ""})


# -- settings and the cursor secret ------------------------------------------------------


def secret_source(env: LambdaEnvironment) -> str:
    """Where the cursor secret comes from: `environment`, `ssm`, `secretsmanager` or
    `default` (the dev secret, which prod refuses)."""
    if env.plaintext_secret:
        return "environment"
    if env.cursor_secret_arn:
        match = SECRET_ARN.match(env.cursor_secret_arn)
        return match["service"] if match else "invalid-arn"
    return "default"


def gateway_settings(env: LambdaEnvironment | None = None) -> Settings:
    """Settings from the environment, with the cursor secret fetched by ARN when no
    plaintext `GRAPH_CURSOR_SECRET` is set."""
    env = env or LambdaEnvironment()
    if not env.plaintext_secret and env.cursor_secret_arn:
        secret = fetch_cursor_secret(env.cursor_secret_arn)
        return Settings(cursor_secret=SecretStr(secret))
    return Settings()


def audit_settings(env: LambdaEnvironment | None = None) -> Settings:
    """Settings for the audit function. It signs no cursors (history writes use an empty
    codec), so it gets neither the secret's ARN nor permission to read it; a random
    throwaway key satisfies the prod check instead of the dev default."""
    env = env or LambdaEnvironment()
    if env.plaintext_secret:
        return Settings()
    return Settings(cursor_secret=SecretStr(secrets.token_urlsafe(32)))


# -- the registry -------------------------------------------------------------------------


def lambda_registry(settings: Settings, env: LambdaEnvironment | None = None) -> Registry:
    """The packaged registry; narrowed to `GRAPH_TENANT_ID` (with the module's table names,
    this region and the function's own role) when the Terraform module set it."""
    env = env or LambdaEnvironment()
    registry = load_registry(settings.tenants_dir, settings.stage)
    if not env.tenant_id:
        return registry
    tenant = registry.tenants.get(env.tenant_id)
    if tenant is None:
        raise RegistryError(
            f"GRAPH_TENANT_ID={env.tenant_id!r} is not in the packaged registry "
            f"({sorted(registry.tenants)}): add tenants/registry/{env.tenant_id}.toml"
        )
    update: dict[str, object] = {"region": settings.region, "role_arn": None}
    if env.photos_bucket:
        update["photos_bucket"] = env.photos_bucket
    if env.photos_public_url:
        update["photos_public_url"] = env.photos_public_url
    config = tenant.config.model_copy(update=update)
    tables = env.table_names() or tenant.tables
    return Registry([Tenant(config=config, tables=tables)], settings.stage)
