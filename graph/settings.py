"""Settings, read once at start-up from `GRAPH_*` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Stage = Literal["dev", "test", "prod"]

#: Only for stages dev and test; prod refuses to start with it.
DEV_CURSOR_SECRET = "dev-only-cursor-secret-do-not-use-in-prod"
REPO_ROOT = Path(__file__).resolve().parents[1]
#: The kicks tenant's dev read key (README.md): the playground's default key in stage dev.
DEV_PLAYGROUND_KEY = "rg_kicks-dev-read_kicksDevReadKey0001"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRAPH_", frozen=True, extra="ignore")

    stage: Stage = "dev"
    region: str = "us-east-1"
    #: A DynamoDB endpoint URL (DynamoDB Local, Alternator); None means real AWS.
    dynamodb_endpoint: str | None = None
    #: An S3 endpoint URL for listing photos (the local S3 server in dev and tests);
    #: None means AWS S3. Each tenant's bucket is named in the registry (default
    #: `<stage>-<tenant>-photos`) or, in a tenant's Lambda, by GRAPH_PHOTOS_BUCKET.
    s3_endpoint: str | None = None
    #: Extra time a request attaching photos may take beyond `request_deadline_seconds`
    #: (reading, decoding and resizing photos inline; README "Listing photos").
    photo_seconds: float = Field(default=20.0, ge=0)
    #: HMAC key that signs pagination cursors.
    cursor_secret: SecretStr = SecretStr(DEV_CURSOR_SECRET)
    #: botocore `standard` retry mode: total attempts per DynamoDB call.
    dynamodb_max_attempts: int = Field(default=4, ge=1, le=10)
    dynamodb_connect_timeout: float = Field(default=1.0, gt=0)
    dynamodb_read_timeout: float = Field(default=2.0, gt=0)
    dynamodb_max_pool_connections: int = Field(default=64, ge=1)
    #: Retries of BatchGetItem's UnprocessedKeys before giving up.
    batch_get_max_retries: int = Field(default=8, ge=0)
    #: Folder holding the tenant registry (`registry.toml`) and `extensions/`.
    tenants_dir: Path = REPO_ROOT / "tenants"
    graphiql: bool | None = None
    #: Rebuild a tenant's schema when its extension files change (default: stage dev).
    extensions_reload: bool | None = None
    #: Where `make playground-assets` installs the playground's pinned npm files.
    playground_assets: Path = REPO_ROOT / ".cache" / "playground"
    #: Key pre-filled in the playground's headers editor: the kicks dev read key in stage
    #: dev (set it empty for none), none otherwise; prod refuses one, the page is public.
    playground_default_key: str | None = Field(
        default_factory=lambda data: DEV_PLAYGROUND_KEY if data.get("stage") == "dev" else None
    )
    #: Deadline for all DynamoDB work of one request; past it, calls fail UNAVAILABLE.
    request_deadline_seconds: float = Field(default=5.0, gt=0)
    #: Largest request body accepted; larger ones get 413 PAYLOAD_TOO_LARGE.
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    #: Requests the process runs at once, shared fairly between the tenants asking
    #: (graph/limits/fair.py): with several tenants, a quarter is kept for those not
    #: asking yet; of the rest a tenant alone may use all, up to its own
    #: `max_concurrency`; k tenants get about 1/k each. The process runs on one core and
    #: a page waits for DynamoDB about as long as it computes, so a few in flight keep
    #: the core busy; more only make each share it with more (issue 15: with 8, a
    #: flooding tenant held 3 while another's page ran, and doubled its p95).
    max_in_flight: int = Field(default=4, ge=1)
    #: How long a tenant still counts as asking for its share after its last request
    #: ended: a client sending one request at a time keeps its share between requests.
    fair_share_linger_seconds: float = Field(default=1.0, ge=0)
    #: How long a request may wait for a slot before it is answered 429.
    concurrency_wait_seconds: float = Field(default=0.25, ge=0)
    #: How long a request its tenant's token bucket refuses at the door waits before its
    #: 429: a client retrying without waiting for Retry-After then sends at most one
    #: request per connection per pause, instead of turning the process's CPU (which
    #: the other tenants share) into refusals. None: `concurrency_wait_seconds` in a
    #: process serving several tenants, 0 in one serving one (a tenant's own Lambda).
    throttle_pause_seconds: float | None = Field(default=None, ge=0)
    #: Automatic persisted queries remembered per tenant (least recently used go first).
    apq_cache_size: int = Field(default=1_000, ge=0)
    #: Introspection and "Did you mean ...?" hints: None means on unless the stage is
    #: prod. Admin keys always get both.
    introspection: bool | None = None
    field_suggestions: bool | None = None
    #: One CloudWatch EMF line per request on stdout (AWS Lambda Powertools Metrics).
    metrics: bool = True
    #: Reload `tenants/registry/` when its files change (new tenant, key, origin), at the
    #: next request (default: stage dev).
    registry_reload: bool | None = None
    #: Per-request output: `json` (a Powertools JSON log line, plus EMF when `metrics`)
    #: or `text` (one readable line on stderr, no EMF). Default: text in stage dev
    #: outside Lambda, json everywhere else.
    log_format: Literal["json", "text"] | None = None
    #: Live subscriptions (docs/events.md): open subscriptions per WebSocket connection
    #: and per tenant (over all connections of this process, or of the tenant's
    #: connections table on AWS), and how long a connection may stay silent (no frame
    #: either way) before it is closed: API Gateway's idle timeout is 10 minutes.
    subscriptions_per_connection: int = Field(default=20, ge=1)
    subscriptions_per_tenant: int = Field(default=1_000, ge=1)
    subscription_idle_seconds: float = Field(default=600.0, gt=0)
    #: How long a new WebSocket connection may take to send connection_init.
    subscription_init_seconds: float = Field(default=10.0, gt=0)
    #: The most of a tenant's connections, and of its subscriptions, one client address
    #: may hold (a fraction of `subscriptions_per_tenant`; at least one of each).
    subscriptions_share_per_address: float = Field(default=0.25, gt=0, le=1)
    #: How often an open WebSocket connection checks its key against the registry: a
    #: revoked key's connections close (4403) within this many seconds.
    registry_recheck_seconds: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _prod_needs_a_real_secret(self) -> Settings:
        secret = self.cursor_secret.get_secret_value()
        if self.stage == "prod" and (secret == DEV_CURSOR_SECRET or len(secret) < 32):
            raise ValueError(
                "GRAPH_CURSOR_SECRET must be a random secret of 32+ characters when "
                "GRAPH_STAGE=prod "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
        return self

    @model_validator(mode="after")
    def _no_playground_key_in_prod(self) -> Settings:
        if self.stage == "prod" and self.playground_default_key:
            raise ValueError(
                "GRAPH_PLAYGROUND_DEFAULT_KEY must be unset when GRAPH_STAGE=prod: the "
                "playground page is public, and so would the key be."
            )
        return self

    @property
    def extensions_reload_enabled(self) -> bool:
        return self.extensions_reload if self.extensions_reload is not None else self.stage == "dev"

    @property
    def registry_reload_enabled(self) -> bool:
        return self.registry_reload if self.registry_reload is not None else self.stage == "dev"

    @property
    def text_logs(self) -> bool:
        if self.log_format is not None:
            return self.log_format == "text"
        return self.stage == "dev" and not os.environ.get("AWS_LAMBDA_FUNCTION_NAME")

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.stage != "prod"

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else self.stage != "prod"

    @property
    def field_suggestions_enabled(self) -> bool:
        if self.field_suggestions is not None:
            return self.field_suggestions
        return self.stage != "prod"
