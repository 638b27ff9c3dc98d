"""The websocket function: API Gateway WebSocket routes speaking graphql-transport-ws.

    $connect      the client must offer the graphql-transport-ws subprotocol; a key in
                  `?apiKey=` is checked here (a wrong one: 401, no connection); the
                  connection is stored with a 2-hour TTL
    $default      one protocol message per invocation:
                  connection_init   key in the payload (`apiKey`), unless given at
                                    $connect; a wrong one closes the connection
                  subscribe         checked as the local server checks it (the key's
                                    schema, static limits, subscriptions per connection);
                                    refused with an `error` message, else stored with its
                                    topic for the fan-out
                  complete          forgets the subscription
                  ping / pong       pong / nothing
    $disconnect   forgets the connection and its subscriptions

API Gateway cannot close a socket with a code, so what the local server closes with
4403/4401/4400 closes here without one (DeleteConnection).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from graph.errors import BadRequest, SubscriptionLimitExceeded
from graph.http.messages import decode_message
from graph.limits.buckets import Admission, current_admission
from graph.registry.tenants import Principal
from graph.store import ConnectionStore, Management
from graph.subscriptions.operations import Operation, check, topic_of
from graph.tenancy.runtime import Runtime

PROTOCOL = "graphql-transport-ws"
KEY_FIELD = "apiKey"
OK = {"statusCode": 200}


def principal_attributes(principal: Principal) -> dict[str, Any]:
    return {
        "tenant": principal.tenant.id,
        "keyId": principal.key_id,
        "scopes": sorted(principal.scopes),
    }


def principal_of(connection: dict[str, Any] | None, runtime: Runtime) -> Principal | None:
    """The principal a stored connection authenticated as, if it did (and its tenant is
    still served here)."""
    if not connection or "keyId" not in connection:
        return None
    registry = runtime.current_registry()
    tenant = registry.tenants.get(str(connection.get("tenant")))
    if tenant is None:
        return None
    # The key as the registry has it now: a key removed (or its scopes changed) since the
    # connection authenticated no longer admits it.
    for key in tenant.config.keys:
        if key.id == connection["keyId"] and registry.stage in key.stages:
            if frozenset(key.scopes) != frozenset(connection["scopes"]):
                return None
            return Principal(tenant, key.id, frozenset(key.scopes))
    return None


def _header(event: dict[str, Any], name: str) -> str:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return ""


@dataclass
class WebSocketApi:
    runtime: Runtime
    connections: ConnectionStore
    management: Management

    async def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        context = event["requestContext"]
        route = context["routeKey"]
        connection_id = str(context["connectionId"])
        if route == "$connect":
            return await self.connect(event, connection_id)
        if route == "$disconnect":
            await self.connections.forget(connection_id)
            return OK
        await self.message(connection_id, event.get("body") or "")
        return OK

    async def connect(self, event: dict[str, Any], connection_id: str) -> dict[str, Any]:
        offered = [p.strip() for p in _header(event, "sec-websocket-protocol").split(",")]
        if PROTOCOL not in offered:
            return {"statusCode": 400, "body": f"Offer the {PROTOCOL} subprotocol."}
        attributes: dict[str, Any] = {}
        key = (event.get("queryStringParameters") or {}).get(KEY_FIELD)
        if key:
            principal = self.runtime.authenticate(str(key))
            if principal is None:
                return {"statusCode": 401, "body": "UNAUTHENTICATED: The API key is not valid."}
            attributes = principal_attributes(principal)
        await self.connections.open(connection_id, **attributes)
        return {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": PROTOCOL}}

    async def message(self, connection_id: str, body: str) -> None:
        try:
            message = decode_message(body, self.runtime.settings.max_body_bytes)
        except BadRequest:
            await self.close(connection_id)  # 4400 in the protocol
            return
        kind = message["type"]
        if kind == "connection_init":
            await self.connection_init(connection_id, message.get("payload") or {})
        elif kind == "subscribe":
            await self.subscribe(connection_id, message)
        elif kind == "complete":
            await self.connections.remove_subscription(connection_id, str(message.get("id")))
        elif kind == "ping":
            await self.management.post(connection_id, {"type": "pong"})
        elif kind != "pong":
            await self.close(connection_id)

    async def connection_init(self, connection_id: str, payload: Any) -> None:
        stored = await self.connections.connection(connection_id)
        principal = principal_of(stored, self.runtime)
        key = payload.get(KEY_FIELD) if isinstance(payload, dict) else None
        if isinstance(key, str) and key:
            principal = self.runtime.authenticate(key)
            if principal is not None:
                await self.connections.open(connection_id, **principal_attributes(principal))
        if principal is None:
            await self.close(connection_id)  # 4403 in the protocol
            return
        await self.management.post(connection_id, {"type": "connection_ack"})

    async def subscribe(self, connection_id: str, message: dict[str, Any]) -> None:
        principal = principal_of(await self.connections.connection(connection_id), self.runtime)
        if principal is None:
            await self.close(connection_id)  # 4401: subscribe before connection_ack
            return
        payload = message.get("payload") or {}
        operation = Operation(
            id=str(message.get("id")),
            query=str(payload.get("query") or ""),
            variables=payload.get("variables"),
            operation_name=payload.get("operationName"),
        )
        errors = await self.refusal(connection_id, principal, operation)
        if errors is not None:
            await self.management.post(
                connection_id, {"id": operation.id, "type": "error", "payload": errors}
            )
            return
        await self.connections.add_subscription(
            connection_id,
            operation.id,
            topic=topic_of(operation, self.runtime, principal),
            query=operation.query,
            variables=operation.variables,
            operation_name=operation.operation_name,
        )

    async def refusal(
        self, connection_id: str, principal: Principal, operation: Operation
    ) -> list[Any] | None:
        limit = self.runtime.settings.subscriptions_per_connection
        if len(await self.connections.subscriptions(connection_id)) >= limit:
            error = SubscriptionLimitExceeded(
                f"This connection already has {limit} open subscriptions, the most allowed "
                "(limit subscriptionsPerConnection). Complete one before subscribing again.",
                limit={"name": "subscriptionsPerConnection", "value": limit, "actual": limit + 1},
            )
            return [GraphQLError(error.message, extensions=error.as_extensions()).formatted]
        gate = self.runtime.graph_of(principal).gate
        throttled = gate.refusal()  # the tenant's bucket, as over HTTP and locally
        if throttled is not None:
            refused = throttled[0]
            return [GraphQLError(refused.message, extensions=refused.as_extensions()).formatted]
        token = current_admission.set(Admission(gate.bucket))
        try:
            errors = await check(self.runtime, principal, operation)
        finally:
            current_admission.reset(token)
        if errors is None:
            try:
                topic_of(operation, self.runtime, principal)
            except GraphQLError as error:
                return [GraphQLError(error.message, extensions={"code": "BAD_REQUEST"}).formatted]
        return errors

    async def close(self, connection_id: str) -> None:
        await self.management.close(connection_id)
        await self.connections.forget(connection_id)
