"""GraphQL subscriptions over WebSocket on /graphql (graphql-transport-ws).

Browsers cannot send headers on a WebSocket handshake, so the API key arrives in the
`connection_init` payload, `{"apiKey": "rg_..."}`; the key picks the tenant, and the
connection then runs that tenant's schema (public fields only for a read key). Each
frame passes the door first (graph/routes/live_door.py: the HTTP body guards); each
operation is admitted as an HTTP request is: the tenant's bucket (its door, then the
charge of the operation's cost by RequestLimits), static limits, a context and deadline
of its own, errors masked by `known_or_masked`. Closes and refusals:

    4400  BAD_REQUEST             a frame that is not a protocol message (any time)
    4403  UNAUTHENTICATED         no key or a wrong one in connection_init, a browser
                                  origin the tenant does not list, or (checked every
                                  `registry_recheck_seconds`) the key or origin removed
                                  from the registry while the connection is open
    4429  SUBSCRIPTION_LIMIT_EXCEEDED  connection_init from an address already holding
                                  its share of the tenant's connections
    4000  IDLE_TIMEOUT            `subscription_idle_seconds` with no frame either way
    error SUBSCRIPTION_LIMIT_EXCEEDED  a subscribe over the connection's, the tenant's or
                                  the address's share; THROTTLED  the tenant's bucket

Strawberry's own protocol handler does the rest (init timeout 4408, duplicate ids 4409,
pings, parse and validation errors as `error` messages).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from contextlib import suppress
from datetime import timedelta
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from graph.errors import GatewayError, IdleTimeout, SubscriptionLimitExceeded, Unauthenticated
from graph.limits.addresses import AddressShares, count_refusal, subscription_limit
from graph.limits.buckets import Admission, current_admission
from graph.registry.tenants import Principal
from graph.resolvers.context import Context, LiveSession
from graph.routes.live_door import (
    CLOSE_FORBIDDEN,
    KEY_FIELD,
    Connection,
    GuardedWebSocketAdapter,
    authenticate,
    close_reason,
    masked,
    revocation,
)
from graph.tenancy.runtime import Runtime

CLOSE_IDLE = 4000
CLOSE_TOO_MANY = 4429


@strawberry.type
class _Nothing:
    ok: bool


@cache
def _placeholder_schema() -> strawberry.Schema:
    # Strawberry's view wants a schema up front; a connection gets its tenant's schema
    # only after connection_init, and Strawberry refuses a subscribe before that.
    return strawberry.Schema(query=_Nothing)


class TenantTransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    view: LiveGraphQL
    context: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection: Connection = self.context
        self.principal: Principal | None = None
        self.key: str | None = None
        self.counted: set[str] = set()
        self.last_frame = asyncio.get_running_loop().time()
        self.watch_task: asyncio.Task[None] | None = None

    # -- idle timeout and the live registry ---------------------------------------------

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self.watch_task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        """Close when idle, or when the registry no longer admits the key or origin."""
        settings = self.view.runtime.settings
        idle, recheck = settings.subscription_idle_seconds, settings.registry_recheck_seconds
        loop = asyncio.get_running_loop()
        while True:
            left = self.last_frame + idle - loop.time()
            if left <= 0:
                error: GatewayError = IdleTimeout(f"No message for {idle:g} s; send pings.")
                await self.websocket.close(CLOSE_IDLE, close_reason(error))
                return
            await asyncio.sleep(min(left, recheck))
            if self.principal is not None and self.key is not None:
                revoked = revocation(self.view.runtime, self.key, self.connection, self.principal)
                if revoked is not None:
                    await self.websocket.close(CLOSE_FORBIDDEN, close_reason(revoked))
                    return

    async def handle_message(self, message: Message) -> None:
        self.last_frame = asyncio.get_running_loop().time()
        await super().handle_message(message)

    async def send_message(self, message: Message) -> None:
        self.last_frame = asyncio.get_running_loop().time()
        await super().send_message(masked(message, getattr(self.context, "request_id", "")))

    async def shutdown(self) -> None:
        if self.watch_task is not None:
            self.watch_task.cancel()
            with suppress(asyncio.CancelledError):
                await self.watch_task
        await super().shutdown()
        for operation_id in list(self.counted):
            self._release(operation_id)
        if self.principal is not None:
            self.view.shares.release_connection(self.principal.tenant.id, self.connection.address)

    # -- the key ------------------------------------------------------------------------

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload") or {}
        if self.connection_timed_out or self.connection_init_received:
            await super().handle_connection_init(message)  # 4429
            return
        try:
            principal = authenticate(self.view.runtime, payload.get(KEY_FIELD), self.connection)
        except Unauthenticated as error:
            await self._refuse_init(CLOSE_FORBIDDEN, error)
            return
        tenant_id = principal.tenant.id
        crowded = self.view.shares.take_connection(tenant_id, self.connection.address)
        if crowded is not None:
            self.view.refused(tenant_id, crowded)
            await self._refuse_init(CLOSE_TOO_MANY, crowded)
            return
        self.principal, self.key = principal, str(payload[KEY_FIELD])
        self.schema = self.view.runtime.graph_of(principal).schema_for(principal)
        self.context = await self.view.context_for(principal)
        await super().handle_connection_init(message)

    async def _refuse_init(self, code: int, error: GatewayError) -> None:
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        self.connection_init_received = True
        await self.websocket.close(code, close_reason(error))

    # -- admission of each operation ----------------------------------------------------

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        principal = self.principal
        if principal is None or message["id"] in self.operations:
            await super().handle_subscribe(message)  # 4401 / 4409
            return
        error = self._refusal(principal, message)
        if error is not None:
            formatted = GraphQLError(error.message, extensions=error.as_extensions()).formatted
            await self.send_message({"id": message["id"], "type": "error", "payload": [formatted]})
            return
        await super().handle_subscribe(message)
        if message["id"] in self.operations:
            self.counted.add(message["id"])
            self.view.open_by_tenant[principal.tenant.id] += 1
        else:
            self.view.shares.release_subscription(principal.tenant.id, self.connection.address)

    def _refusal(self, principal: Principal, message: SubscribeMessage) -> GatewayError | None:
        view, settings, tenant_id = self.view, self.view.runtime.settings, principal.tenant.id
        graph = view.runtime.graph_of(principal)
        if len(self.operations) >= settings.subscriptions_per_connection:
            return subscription_limit(
                "subscriptionsPerConnection", settings.subscriptions_per_connection, "connection"
            )
        if view.open_by_tenant[tenant_id] >= settings.subscriptions_per_tenant:
            return subscription_limit(
                "subscriptionsPerTenant", settings.subscriptions_per_tenant, "brand"
            )
        throttled = graph.gate.refusal()  # the bucket's door, as for an HTTP request
        if throttled is not None:
            return throttled[0]
        try:  # a tenant in safelist mode runs only registered operations, as over HTTP
            payload = message["payload"]
            graph.persisted.resolve(
                GraphQLRequestData(
                    query=payload.get("query"),
                    variables=None,
                    operation_name=None,
                    extensions=payload.get("extensions"),
                )
            )
        except GatewayError as refused:
            return refused
        crowded = view.shares.take_subscription(tenant_id, self.connection.address)
        if crowded is not None:
            view.refused(tenant_id, crowded)
        return crowded

    async def run_operation(self, operation: Operation[Any, None]) -> None:
        """Each operation runs with a context (store, loaders, deadline, request id) of
        its own and its own Admission on the tenant's bucket, like an HTTP request."""
        principal = self.principal
        assert principal is not None
        current_admission.set(Admission(self.view.runtime.graph_of(principal).gate.bucket))
        context = await self.view.context_for(principal)
        # Strawberry's run_operation reads `self.context` before its first await.
        self.context = context
        await super().run_operation(operation)

    def forget_id(self, id: str) -> None:
        super().forget_id(id)
        self._release(id)

    async def cleanup_operation(self, operation_id: str) -> None:
        await super().cleanup_operation(operation_id)
        self._release(operation_id)

    def _release(self, operation_id: str) -> None:
        if operation_id in self.counted and self.principal is not None:
            self.counted.discard(operation_id)
            tenant_id = self.principal.tenant.id
            self.view.open_by_tenant[tenant_id] -= 1
            self.view.shares.release_subscription(tenant_id, self.connection.address)


class LiveGraphQL(GraphQL[Any, None]):
    """The WebSocket side of /graphql: graphql-transport-ws only, tenant per connection."""

    graphql_transport_ws_handler_class = TenantTransportWSHandler
    websocket_adapter_class = GuardedWebSocketAdapter

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        super().__init__(
            _placeholder_schema(),
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.subscription_init_seconds),
            max_subscriptions_per_connection=None,  # ours, with a code: handle_subscribe
        )
        self.runtime = runtime
        #: Frames over the HTTP body limit are refused (graph/routes/live_door.py).
        self.max_message_bytes = settings.max_body_bytes
        #: Open operations per tenant over every connection of this process.
        self.open_by_tenant: Counter[str] = Counter()
        self.shares = AddressShares(
            settings.subscriptions_share_per_address, settings.subscriptions_per_tenant
        )

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        # Every origin may open the socket: connection_init checks it against the key's
        # tenant in the live registry and closes with 4403 (a handshake refused with 403
        # reaches a browser as 1006, with no reason).
        return True

    def refused(self, tenant_id: str, error: SubscriptionLimitExceeded) -> None:
        """Log and count a refusal for an address over its share."""
        count_refusal(tenant_id, error, self.runtime.settings.metrics)

    async def get_context(self, request: Any, response: Response | WebSocket) -> Connection:
        client = getattr(request, "client", None)
        return Connection(
            origin=request.headers.get("origin"),
            host=request.headers.get("host"),
            address=client.host if client is not None else "unknown",
        )

    async def context_for(self, principal: Principal) -> Context:
        graph = self.runtime.graph_of(principal)
        broker, tenant_id = self.runtime.broker, principal.tenant.id
        live = LiveSession(tenant_id, lambda: broker.subscribe(tenant_id), graph.reopen)
        return await graph.open(principal, request_id=uuid.uuid4().hex, live=live)
