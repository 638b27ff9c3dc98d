"""The websocket function: API Gateway WebSocket routes speaking graphql-transport-ws.

    $connect      the client must offer the graphql-transport-ws subprotocol; a key in
                  `?apiKey=` is checked here (a wrong one: 401; an address holding its
                  share of the tenant's connections: 429; no connection either way); the
                  connection is stored with its client address (`identity.sourceIp`) and
                  a 2-hour TTL
    $default      one protocol message per invocation; any message of a connection whose
                  key the registry no longer admits closes it (the revocation bound):
                  connection_init   key in the payload (`apiKey`), unless given at
                                    $connect; a wrong one, or an address holding its
                                    share of connections, closes the connection
                  subscribe         checked as the local server checks it (the key's
                                    schema, static limits, the tenant's bucket), then kept
                                    only within the connection's, the address's and the
                                    tenant's quotas (one transaction on the connections
                                    table: graph/store/quotas.py); refused with an
                                    `error` message, else stored with its topic
                  complete          forgets the subscription (and its counts)
                  ping / pong       pong / nothing
    $disconnect   forgets the connection and its subscriptions (and their counts)

API Gateway cannot close a socket with a code, so what the local server closes with
4403/4401/4400 closes here without one (DeleteConnection).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from graph.errors import BadRequest, GatewayError, SubscriptionLimitExceeded
from graph.http.messages import decode_message
from graph.limits.addresses import (
    address_limit,
    count_refusal,
    most_per_address,
    subscription_limit,
)
from graph.limits.buckets import Admission, current_admission
from graph.registry.tenants import Principal
from graph.store import ConnectionStore, Management, Quota
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
            address = str((context.get("identity") or {}).get("sourceIp") or "unknown")
            return await self.connect(event, connection_id, address)
        if route == "$disconnect":
            await self.connections.forget(connection_id)
            return OK
        await self.message(connection_id, event.get("body") or "")
        return OK

    def quota(self, principal: Principal, address: str) -> Quota:
        settings = self.runtime.settings
        per_tenant = settings.subscriptions_per_tenant
        return Quota(
            tenant=principal.tenant.id,
            address=address,
            per_address=most_per_address(settings.subscriptions_share_per_address, per_tenant),
            per_tenant=per_tenant,
            per_connection=settings.subscriptions_per_connection,
        )

    async def admit(self, connection_id: str, principal: Principal, address: str) -> bool:
        """Record the key on the connection, counted against its address's share; False
        (logged and counted as locally) when the address holds its share."""
        quota = self.quota(principal, address)
        if await self.connections.admit(connection_id, quota, **principal_attributes(principal)):
            return True
        self.refused(principal, address_limit("connections", quota.per_address))
        return False

    def refused(self, principal: Principal, error: SubscriptionLimitExceeded) -> None:
        count_refusal(principal.tenant.id, error, self.runtime.settings.metrics)

    async def connect(
        self, event: dict[str, Any], connection_id: str, address: str
    ) -> dict[str, Any]:
        offered = [p.strip() for p in _header(event, "sec-websocket-protocol").split(",")]
        if PROTOCOL not in offered:
            return {"statusCode": 400, "body": f"Offer the {PROTOCOL} subprotocol."}
        key = (event.get("queryStringParameters") or {}).get(KEY_FIELD)
        if key:
            principal = self.runtime.authenticate(str(key))
            if principal is None:
                return {"statusCode": 401, "body": "UNAUTHENTICATED: The API key is not valid."}
            if not await self.admit(connection_id, principal, address):
                error = address_limit("connections", self.quota(principal, address).per_address)
                return {"statusCode": 429, "body": f"{error.code}: {error.message}"}
        else:
            await self.connections.open(connection_id, address=address)
        return {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": PROTOCOL}}

    async def message(self, connection_id: str, body: str) -> None:
        try:
            message = decode_message(body, self.runtime.settings.max_body_bytes)
        except BadRequest:
            await self.close(connection_id)  # 4400 in the protocol
            return
        kind = message["type"]
        stored = await self.connections.connection(connection_id)
        principal = principal_of(stored, self.runtime)
        if kind == "connection_init":
            await self.connection_init(connection_id, stored, message.get("payload") or {})
            return
        if principal is None and stored is not None and "keyId" in stored:
            # The key (or its scopes) left the registry: whatever the client sends now,
            # the connection closes (4403 in the protocol), as the local server's recheck.
            await self.close(connection_id)
        elif kind == "subscribe":
            await self.subscribe(connection_id, principal, stored, message)
        elif kind == "complete":
            await self.connections.remove_subscription(connection_id, str(message.get("id")))
        elif kind == "ping":
            await self.management.post(connection_id, {"type": "pong"})
        elif kind != "pong":
            await self.close(connection_id)

    async def connection_init(
        self, connection_id: str, stored: dict[str, Any] | None, payload: Any
    ) -> None:
        principal = principal_of(stored, self.runtime)
        key = payload.get(KEY_FIELD) if isinstance(payload, dict) else None
        if isinstance(key, str) and key:
            principal = self.runtime.authenticate(key)
            address = str((stored or {}).get("address") or "unknown")
            if principal is not None and not await self.admit(connection_id, principal, address):
                await self.close(connection_id)  # 4429 in the protocol
                return
        if principal is None:
            await self.close(connection_id)  # 4403 in the protocol
            return
        await self.management.post(connection_id, {"type": "connection_ack"})

    async def subscribe(
        self,
        connection_id: str,
        principal: Principal | None,
        stored: dict[str, Any] | None,
        message: dict[str, Any],
    ) -> None:
        if principal is None or stored is None:
            await self.close(connection_id)  # 4401: subscribe before connection_ack
            return
        payload = message.get("payload") or {}
        operation = Operation(
            id=str(message.get("id")),
            query=str(payload.get("query") or ""),
            variables=payload.get("variables"),
            operation_name=payload.get("operationName"),
        )
        errors = await self.refusal(principal, operation)
        if errors is None:
            errors = await self.kept(connection_id, principal, stored, operation)
        if errors is not None:
            await self.management.post(
                connection_id, {"id": operation.id, "type": "error", "payload": errors}
            )

    async def kept(
        self,
        connection_id: str,
        principal: Principal,
        stored: dict[str, Any],
        operation: Operation,
    ) -> list[Any] | None:
        """Store a checked subscription within its quotas; else the coded refusal."""
        quota = self.quota(principal, str(stored.get("address") or "unknown"))
        over = await self.connections.add_subscription(
            connection_id,
            operation.id,
            quota=quota,
            topic=topic_of(operation, self.runtime, principal),
            query=operation.query,
            variables=operation.variables,
            operation_name=operation.operation_name,
        )
        if over is None or over == "gone":
            return None
        if over == "duplicate":
            await self.close(connection_id)  # 4409 in the protocol
            return None
        error: SubscriptionLimitExceeded
        if over == "subscriptionsPerAddress":
            error = address_limit("subscriptions", quota.per_address)
            self.refused(principal, error)
        elif over == "subscriptionsPerTenant":
            error = subscription_limit(over, quota.per_tenant, "brand")
        else:
            error = subscription_limit(over, quota.per_connection, "connection")
        return [_formatted(error)]

    async def refusal(self, principal: Principal, operation: Operation) -> list[Any] | None:
        gate = self.runtime.graph_of(principal).gate
        throttled = gate.refusal()  # the tenant's bucket, as over HTTP and locally
        if throttled is not None:
            return [_formatted(throttled[0])]
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


def _formatted(error: GatewayError) -> Any:
    return GraphQLError(error.message, extensions=error.as_extensions()).formatted
