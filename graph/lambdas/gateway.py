"""The GraphQL gateway behind API Gateway (HTTP API payload 2.0 or REST API payload 1.0),
through Mangum.

Once per execution environment, on the first invocation (never at import, never per
invocation): settings, the cursor secret, the tenant registry (graph/lambdas/bootstrap.py),
the Runtime (its DynamoDB client and schemas), the Starlette app and Mangum. Mangum runs
with `lifespan="off"`, so no per-invocation start-up or shutdown touches the client.

One event loop per execution environment. aioboto3's client (its aiohttp session,
connection pool and timers) belongs to the loop it was opened on; Mangum runs each
invocation on whatever `asyncio.get_event_loop()` returns in the calling thread. That is
the same loop across invocations only while nothing else replaces or clears the thread's
current loop (an `asyncio.run()` anywhere in the thread clears it, and a thread other
than the one that built Mangum has none). So the gateway owns one loop, created with the
app, and makes it the calling thread's current loop before every invocation: the client
is opened on that loop and every later invocation runs on it.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.lambdas import snapstart
from graph.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mangum import Mangum
    from starlette.applications import Starlette

    from graph.registry.tenants import Registry
    from graph.settings import Settings
    from graph.tenancy.runtime import Runtime


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
                from mangum import Mangum

                # Built here, with the loop current: Mangum's set-up then finds this loop
                # rather than creating a stray one.
                self.adapter = Mangum(self.app, lifespan="off")
            self.invocations += 1
            return self.adapter(event, context)

    def reopen_clients(self) -> None:
        """Close the DynamoDB clients; each reopens on its next use, on this loop. After a
        SnapStart restore the snapshot's connections are dead."""
        with self._lock:
            if self.loop.is_closed():
                return
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.runtime.aclose())

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
    # The app's modules are imported here, on the first invocation (or at init under
    # SnapStart: graph/lambdas/snapstart.py), not when Lambda imports this module.
    from graph.app import create_app
    from graph.lambdas import bootstrap
    from graph.tenancy.runtime import Runtime

    env = bootstrap.LambdaEnvironment()
    given = settings is not None or runtime is not None
    source = "given" if given else bootstrap.secret_source(env)
    if runtime is None:
        settings = settings or bootstrap.gateway_settings(env)
        registry = registry or bootstrap.lambda_registry(settings, env)
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


def reset_gateway() -> None:
    """Close and forget the cached gateway (tests; a new "environment")."""
    global _gateway
    with _build_lock:
        if _gateway is not None:
            _gateway.close()
            _gateway = None


@logger.inject_lambda_context
def gateway_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """API Gateway (HTTP API payload 2.0 or REST API payload 1.0) -> the GraphQL app."""
    return gateway().invoke(event, context)


# -- SnapStart (graph/lambdas/snapstart.py) ----------------------------------------------

#: What the first invocation imports beyond this module; imported during the init phase
#: only when SnapStart snapshots it, so restored environments start with the code loaded.
FIRST_INVOCATION_MODULES = (
    "graph.app",
    "graph.lambdas.bootstrap",
    "graph.tenancy.runtime",
    "mangum",
)


def before_snapshot() -> None:
    """Nothing built goes into the snapshot: a gateway built during init (its secret, its
    clients' connections) is closed and forgotten."""
    reset_gateway()


def after_restore() -> None:
    """New random state for this environment; a gateway that exists reopens its clients
    (their connections did not survive the restore)."""
    snapstart.reseed()
    built = _gateway
    if built is not None:
        built.reopen_clients()


def prime() -> None:
    """The first invocation's code, loaded during SnapStart's init: the modules, aioboto3
    behind the store's client factory, and a botocore session with DynamoDB's data files
    read (package data only: no client is opened, no credentials resolved)."""
    snapstart.prime(FIRST_INVOCATION_MODULES)
    from graph.store import prime_dynamodb_session

    prime_dynamodb_session()


_hooked = snapstart.register(before_snapshot=before_snapshot, after_restore=after_restore)
if _hooked and snapstart.snap_start_init():
    prime()
