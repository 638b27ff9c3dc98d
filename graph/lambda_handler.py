"""AWS Lambda entry points: the GraphQL gateway behind API Gateway, and the audit consumer.

Both functions run the same zip (`make package` -> dist/lambda.zip); Terraform
(infra/terraform/modules/tenant-account/lambda.tf) picks the handler:

  graph.lambda_handler.gateway_handler   API Gateway HTTP API (payload 2.0) or REST API
                                         (payload 1.0) events, through Mangum
  graph.lambda_handler.audit_handler     DynamoDB Streams batches -> history entries

Once per execution environment, on the first invocation (never at import, never per
invocation): settings, the cursor secret, the tenant registry, the Runtime (its DynamoDB
client and schemas), the Starlette app and Mangum, or the AuditConsumer. Mangum runs
with `lifespan="off"`, so no per-invocation start-up or shutdown touches the client.

One event loop per execution environment. aioboto3's client (its aiohttp session,
connection pool and timers) belongs to the loop it was opened on; Mangum runs each
invocation on whatever `asyncio.get_event_loop()` returns in the calling thread. That is
the same loop across invocations only while nothing else replaces or clears the thread's
current loop (an `asyncio.run()` anywhere in the thread clears it, and a thread other
than the one that built Mangum has none). So the gateway owns one loop, created with the
app, and makes it the calling thread's current loop before every invocation: the client
is opened on that loop and every later invocation runs on it.

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

import asyncio
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.applications import Starlette

from graph.app import create_app
from graph.audit.consumer import AuditConsumer
from graph.observability import logger
from graph.runtime import Runtime
from graph.settings import Settings
from graph.store import TableNames
from graph.tenancy import Registry, RegistryError, Tenant, load_registry

#: `arn:<partition>:ssm:<region>:<account>:parameter/<name>` or
#: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`.
_SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:(?P<service>ssm|secretsmanager):(?P<region>[a-z0-9-]+):\d{12}:"
    r"(parameter/|secret:).+$"
)


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
        return TableNames.from_mapping(given)


# -- settings and the cursor secret ------------------------------------------------------


def fetch_cursor_secret(arn: str, *, client: Any | None = None) -> str:
    """The cursor secret behind an SSM SecureString parameter or Secrets Manager secret ARN,
    fetched with Powertools' parameters utility (the function's role may read exactly that
    ARN). `client`: a boto3 client to use instead (tests); by default one for the ARN's
    region, so a secret kept in another region than the function's still works."""
    match = _SECRET_ARN.match(arn)
    if match is None:
        raise ValueError(
            "GRAPH_CURSOR_SECRET_ARN must be an SSM parameter ARN (arn:aws:ssm:...:parameter/"
            "...) or a Secrets Manager secret ARN (arn:aws:secretsmanager:...:secret:...)"
        )
    from aws_lambda_powertools.utilities import parameters

    service, region = match["service"], match["region"]
    session = None
    if client is None:
        import boto3  # in the zip as aioboto3's dependency; Powertools' providers use it

        session = boto3.session.Session(region_name=region)
    value: Any
    if service == "ssm":
        ssm = parameters.SSMProvider(boto3_session=session, boto3_client=client)
        value = ssm.get(arn, decrypt=True, force_fetch=True)
    else:
        sm = parameters.SecretsProvider(boto3_session=session, boto3_client=client)
        value = sm.get(arn, force_fetch=True)
    if isinstance(value, bytes):
        value = value.decode()
    if not isinstance(value, str) or not value:
        raise ValueError(f"the cursor secret at {arn} is empty or not a string")
    return value


def secret_source(env: LambdaEnvironment) -> str:
    """Where the cursor secret comes from: `environment`, `ssm`, `secretsmanager` or
    `default` (the dev secret, which prod refuses)."""
    if env.plaintext_secret:
        return "environment"
    if env.cursor_secret_arn:
        match = _SECRET_ARN.match(env.cursor_secret_arn)
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
    config = tenant.config.model_copy(update={"region": settings.region, "role_arn": None})
    tables = env.table_names() or tenant.tables
    return Registry([Tenant(config=config, tables=tables)], settings.stage)


# -- the gateway --------------------------------------------------------------------------


@dataclass
class Gateway:
    """What the gateway keeps for the life of the execution environment."""

    settings: Settings
    runtime: Runtime
    app: Starlette
    #: The one loop every invocation runs on; the DynamoDB client is opened on it.
    loop: asyncio.AbstractEventLoop
    adapter: Mangum | None = None
    invocations: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def invoke(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        # Lambda never runs two invocations at once in one environment; the lock keeps a
        # local caller from running the loop twice.
        with self._lock:
            asyncio.set_event_loop(self.loop)
            if self.adapter is None:
                # Built here, with the loop current: Mangum's set-up then finds this loop
                # rather than creating a stray one.
                self.adapter = Mangum(self.app, lifespan="off")
            self.invocations += 1
            return self.adapter(event, context)

    def close(self) -> None:
        with self._lock:
            if self.loop.is_closed():
                return
            asyncio.set_event_loop(self.loop)
            try:
                self.loop.run_until_complete(self.runtime.aclose())
            finally:
                asyncio.set_event_loop(None)
                self.loop.close()


_build_lock = threading.Lock()
_gateway: Gateway | None = None
_consumer: AuditConsumer | None = None


def configure_gateway(
    settings: Settings | None = None,
    registry: Registry | None = None,
    *,
    runtime: Runtime | None = None,
) -> Gateway:
    """Build the gateway and make it this environment's cached one. Without arguments
    (the production path, on the first invocation): settings, secret and registry from the
    environment. Tests pass their own settings and registry. Closes a previous one."""
    global _gateway
    with _build_lock:
        if _gateway is not None:
            _gateway.close()
            _gateway = None
        _gateway = _build_gateway(settings, registry, runtime)
        return _gateway


def _build_gateway(
    settings: Settings | None, registry: Registry | None, runtime: Runtime | None
) -> Gateway:
    env = LambdaEnvironment()
    source = "given" if settings is not None or runtime is not None else secret_source(env)
    if runtime is None:
        settings = settings or gateway_settings(env)
        registry = registry or lambda_registry(settings, env)
        runtime = Runtime(settings, registry)
    app = create_app(runtime=runtime, manage_client=False)
    logger.info(
        "gateway cold start",
        extra={
            "stage": runtime.settings.stage,
            "tenants": sorted(runtime.registry.tenants),
            "cursorSecretSource": source,
        },
    )
    return Gateway(runtime.settings, runtime, app, asyncio.new_event_loop())


def gateway() -> Gateway:
    """The execution environment's gateway, built on first use."""
    global _gateway
    built = _gateway
    if built is not None:
        return built
    with _build_lock:
        if _gateway is None:
            _gateway = _build_gateway(None, None, None)
        return _gateway


def configure_audit(
    settings: Settings | None = None, registry: Registry | None = None
) -> AuditConsumer:
    """Build the audit consumer and make it this environment's cached one (tests pass
    their own settings and registry). Closes a previous one."""
    global _consumer
    with _build_lock:
        if _consumer is not None:
            _consumer.close()
            _consumer = None
        _consumer = _build_consumer(settings, registry)
        return _consumer


def _build_consumer(settings: Settings | None, registry: Registry | None) -> AuditConsumer:
    env = LambdaEnvironment()
    settings = settings or audit_settings(env)
    registry = registry or lambda_registry(settings, env)
    logger.info(
        "audit cold start",
        extra={"stage": settings.stage, "tenants": sorted(registry.tenants)},
    )
    return AuditConsumer(settings, registry)


def audit_consumer() -> AuditConsumer:
    """The execution environment's audit consumer, built on first use."""
    global _consumer
    built = _consumer
    if built is not None:
        return built
    with _build_lock:
        if _consumer is None:
            _consumer = _build_consumer(None, None)
        return _consumer


def reset() -> None:
    """Close and forget the cached gateway and consumer (tests; a new "environment")."""
    global _gateway, _consumer
    with _build_lock:
        if _gateway is not None:
            _gateway.close()
            _gateway = None
        if _consumer is not None:
            _consumer.close()
            _consumer = None


# -- handlers -------------------------------------------------------------------------


@logger.inject_lambda_context
def gateway_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """API Gateway (HTTP API payload 2.0 or REST API payload 1.0) -> the GraphQL app."""
    return gateway().invoke(event, context)


@logger.inject_lambda_context
def audit_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """DynamoDB Streams batch -> history entries; `{"batchItemFailures": [...]}`."""
    return audit_consumer().handle(event, context)


#: The name bench/cold_child.py invokes.
handler = gateway_handler
