"""Settings, read once at start-up from `GRAPH_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Stage = Literal["dev", "test", "prod"]

#: Only for stages dev and test; prod refuses to start with it.
DEV_CURSOR_SECRET = "dev-only-cursor-secret-do-not-use-in-prod"
REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRAPH_", frozen=True, extra="ignore")

    stage: Stage = "dev"
    region: str = "us-east-1"
    #: A DynamoDB endpoint URL (DynamoDB Local, Alternator); None means real AWS.
    dynamodb_endpoint: str | None = None
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

    @model_validator(mode="after")
    def _prod_needs_a_real_secret(self) -> Settings:
        if self.stage == "prod" and self.cursor_secret.get_secret_value() == DEV_CURSOR_SECRET:
            raise ValueError(
                "GRAPH_CURSOR_SECRET must be set to a random secret when GRAPH_STAGE=prod "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
        return self

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.stage != "prod"
