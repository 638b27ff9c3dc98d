"""GraphQL subscriptions over WebSocket on /graphql (graphql-transport-ws).

Browsers cannot send headers on a WebSocket handshake, so the API key arrives in the
`connection_init` payload, `{"apiKey": "rg_..."}`; the key picks the tenant, and the
connection then runs that tenant's schema (public fields only for a read key), the same
static limits as HTTP (RequestLimits is one of the schema's extensions), and these:

    UNAUTHENTICATED               close 4403: no key or a wrong one in connection_init,
                                  or a browser origin the tenant does not list
    SUBSCRIPTION_LIMIT_EXCEEDED   `error` message for the subscribe over
                                  `subscriptions_per_connection` / `_per_tenant`
    IDLE_TIMEOUT                  close 4000 after `subscription_idle_seconds` with no
                                  frame either way (send pings: graphql-ws `keepAlive`)

Strawberry's own protocol handler does the rest (init timeout 4408, duplicate ids 4409,
pings, parse and validation errors as `error` messages).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.http.websocket_origin import is_same_origin
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from graph.errors import GatewayError, IdleTimeout, SubscriptionLimitExceeded, Unauthenticated
from graph.registry.tenants import Principal
from graph.resolvers.context import Context, LiveSession
from graph.tenancy.runtime import Runtime

#: The connection_init payload field that carries the API key.
KEY_FIELD = "apiKey"
CLOSE_FORBIDDEN = 4403
CLOSE_IDLE = 4000


@dataclass
class Connection:
    """Strawberry's `context` for one connection until connection_init names a key."""

    origin: str | None
    host: str | None
    connection_params: dict[str, Any] | None = None


@strawberry.type
class _Nothing:
    ok: bool


@cache
def _placeholder_schema() -> strawberry.Schema:
    # Strawberry's view wants a schema up front; a connection gets its tenant's schema
    # only after connection_init, and Strawberry refuses a subscribe before that.
    return strawberry.Schema(query=_Nothing)


def authenticate(runtime: Runtime, payload: dict[str, Any], connection: Connection) -> Principal:
    """The principal of the key in a connection_init payload; Unauthenticated otherwise."""
    key = payload.get(KEY_FIELD)
    if not isinstance(key, str) or not key:
        raise Unauthenticated(f'Send the API key in connection_init: {{"{KEY_FIELD}": "rg_..."}}.')
    principal = runtime.registry.authenticate(key)
    if principal is None:
        raise Unauthenticated("The API key is not valid.")
    origin = connection.origin
    foreign = origin is not None and not is_same_origin(origin, connection.host)
    if foreign and origin not in principal.tenant.config.origins:
        raise Unauthenticated(f"Origin {origin} is not one of this brand's origins.")
    return principal


class TenantTransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    view: LiveGraphQL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.principal: Principal | None = None
        self.counted: set[str] = set()
        self.last_frame = asyncio.get_running_loop().time()
        self.idle_task: asyncio.Task[None] | None = None

    # -- idle timeout -------------------------------------------------------------------

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self.idle_task = asyncio.create_task(self._close_when_idle())

    async def _close_when_idle(self) -> None:
        idle = self.view.runtime.settings.subscription_idle_seconds
        loop = asyncio.get_running_loop()
        while True:
            left = self.last_frame + idle - loop.time()
            if left <= 0:
                error = IdleTimeout(f"No message for {idle:g} s; send pings.")
                await self.websocket.close(CLOSE_IDLE, f"{error.code}: {error.message}")
                return
            await asyncio.sleep(left)

    async def handle_message(self, message: Message) -> None:
        self.last_frame = asyncio.get_running_loop().time()
        await super().handle_message(message)

    async def send_message(self, message: Message) -> None:
        self.last_frame = asyncio.get_running_loop().time()
        await super().send_message(message)

    async def shutdown(self) -> None:
        if self.idle_task is not None:
            self.idle_task.cancel()
            with suppress(asyncio.CancelledError):
                await self.idle_task
        await super().shutdown()
        for operation_id in list(self.counted):
            self._release(operation_id)

    # -- the key ------------------------------------------------------------------------

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload") or {}
        if self.connection_timed_out or self.connection_init_received:
            await super().handle_connection_init(message)
            return
        if not isinstance(payload, dict):
            await super().handle_connection_init(message)  # closes 4400
            return
        try:
            principal = authenticate(self.view.runtime, payload, self.context)
        except Unauthenticated as error:
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            self.connection_init_received = True
            await self.websocket.close(CLOSE_FORBIDDEN, f"{error.code}: {error.message}"[:120])
            return
        self.principal = principal
        self.schema = self.view.runtime.graph_of(principal).schema_for(principal)
        self.context = await self.view.context_for(principal, self.context)
        await super().handle_connection_init(message)

    # -- limits -------------------------------------------------------------------------

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        principal = self.principal
        if principal is None or message["id"] in self.operations:
            await super().handle_subscribe(message)  # 4401 / 4409
            return
        settings = self.view.runtime.settings
        tenant_id = principal.tenant.id
        error: GatewayError | None = None
        if len(self.operations) >= settings.subscriptions_per_connection:
            error = _limit(
                "subscriptionsPerConnection", settings.subscriptions_per_connection, "connection"
            )
        elif self.view.open_by_tenant[tenant_id] >= settings.subscriptions_per_tenant:
            error = _limit("subscriptionsPerTenant", settings.subscriptions_per_tenant, "brand")
        if error is None:
            # A tenant in safelist mode runs only registered operations, here as over HTTP.
            try:
                self.view.runtime.graph_of(principal).persisted.resolve(
                    GraphQLRequestData(
                        query=message["payload"].get("query"),
                        variables=None,
                        operation_name=None,
                        extensions=message["payload"].get("extensions"),
                    )
                )
            except GatewayError as refused:
                error = refused
        if error is not None:
            formatted = GraphQLError(error.message, extensions=error.as_extensions()).formatted
            await self.send_message({"id": message["id"], "type": "error", "payload": [formatted]})
            return
        await super().handle_subscribe(message)
        if message["id"] in self.operations:
            self.counted.add(message["id"])
            self.view.open_by_tenant[tenant_id] += 1

    def forget_id(self, id: str) -> None:
        super().forget_id(id)
        self._release(id)

    async def cleanup_operation(self, operation_id: str) -> None:
        await super().cleanup_operation(operation_id)
        self._release(operation_id)

    def _release(self, operation_id: str) -> None:
        if operation_id in self.counted and self.principal is not None:
            self.counted.discard(operation_id)
            self.view.open_by_tenant[self.principal.tenant.id] -= 1


def _limit(name: str, value: int, where: str) -> SubscriptionLimitExceeded:
    return SubscriptionLimitExceeded(
        f"This {where} already has {value} open subscriptions, the most allowed (limit "
        f"{name}). Complete one before subscribing again.",
        limit={"name": name, "value": value, "actual": value + 1},
    )


class LiveGraphQL(GraphQL[Any, None]):
    """The WebSocket side of /graphql: graphql-transport-ws only, tenant per connection."""

    graphql_transport_ws_handler_class = TenantTransportWSHandler

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        origins = sorted({o for t in runtime.registry.tenants.values() for o in t.config.origins})
        super().__init__(
            _placeholder_schema(),
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.subscription_init_seconds),
            max_subscriptions_per_connection=None,  # ours, with a code: handle_subscribe
            allowed_origins=origins,
        )
        self.runtime = runtime
        #: Open operations per tenant over every connection of this process.
        self.open_by_tenant: Counter[str] = Counter()

    async def get_context(self, request: Any, response: Response | WebSocket) -> Connection:
        return Connection(origin=request.headers.get("origin"), host=request.headers.get("host"))

    async def context_for(self, principal: Principal, connection: Connection) -> Context:
        graph = self.runtime.graph_of(principal)
        broker, tenant_id = self.runtime.broker, principal.tenant.id
        live = LiveSession(tenant_id, lambda: broker.subscribe(tenant_id), graph.reopen)
        return await graph.open(principal, request_id=uuid.uuid4().hex, live=live)
