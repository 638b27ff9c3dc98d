"""Running a subscription document outside a WebSocket server (the AWS functions).

`check` runs a subscribe the way the local server would (the tenant's schema for the
key, its static limits, validation), with a change source that ends at once; `run_once`
runs it on one change. Both go through `schema.stream`, so the AWS path and the local
one resolve, filter and refuse identically. `topic` reads the field and arguments a
subscription listens with, for the connections table's byTopic index.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.types.execution import ExecutionResult, PreExecutionError

from graph.events.changes import ALL, ListingChange, topic
from graph.execution.internals import graphql_schema
from graph.limits.buckets import Admission, current_admission
from graph.registry.tenants import Principal
from graph.resolvers.context import Context, LiveSession
from graph.tenancy.runtime import Runtime


@dataclass(frozen=True)
class Operation:
    id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def _source(*changes: ListingChange) -> Any:
    @asynccontextmanager
    async def source() -> AsyncIterator[asyncio.Queue[ListingChange | None]]:
        queue: asyncio.Queue[ListingChange | None] = asyncio.Queue()
        for change in changes:
            queue.put_nowait(change)
        queue.put_nowait(None)  # then the stream ends
        yield queue

    return source


async def _context(runtime: Runtime, principal: Principal, *changes: ListingChange) -> Context:
    graph = runtime.graph_of(principal)
    live = LiveSession(principal.tenant.id, _source(*changes), graph.reopen)
    return await graph.open(principal, request_id=uuid.uuid4().hex, live=live)


async def _results(
    runtime: Runtime, principal: Principal, operation: Operation, *changes: ListingChange
) -> list[ExecutionResult | PreExecutionError]:
    schema = runtime.graph_of(principal).schema_for(principal)
    stream = await schema.stream(
        operation.query,
        variable_values=operation.variables,
        context_value=await _context(runtime, principal, *changes),
        operation_name=operation.operation_name,
    )
    return [result async for result in stream]  # type: ignore[misc]


async def check(runtime: Runtime, principal: Principal, operation: Operation) -> list[Any] | None:
    """None when the subscribe is acceptable; else its formatted (coded) errors."""
    for result in await _results(runtime, principal, operation):
        if result.errors:
            return [error.formatted for error in result.errors]
    return None


async def run_once(
    runtime: Runtime, principal: Principal, operation: Operation, change: ListingChange
) -> dict[str, Any] | None:
    """The `next` message for one change, or None when the subscription skips it. The
    run is admitted on the tenant's bucket as a local subscription's event is: its
    subscribe's checks pay 1, the event its cost (THROTTLED: `next` with the coded
    error and no data)."""
    token = current_admission.set(Admission(runtime.graph_of(principal).gate.bucket))
    try:
        results = await _results(runtime, principal, operation, change)
    finally:
        current_admission.reset(token)
    for result in results:
        if not isinstance(result, ExecutionResult):
            continue
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        return {"id": operation.id, "type": "next", "payload": payload}
    return None


def topic_of(operation: Operation, runtime: Runtime, principal: Principal) -> str:
    """The byTopic key of a checked subscription: its most selective argument."""
    schema = graphql_schema(runtime.graph_of(principal).schema_for(principal))
    document = parse(operation.query)
    node = get_operation_ast(document, operation.operation_name)
    if (
        not isinstance(node, OperationDefinitionNode)
        or node.operation != OperationType.SUBSCRIPTION
    ):
        raise GraphQLError("Only subscriptions are kept on the connection.")
    (field,) = [s for s in node.selection_set.selections if isinstance(s, FieldNode)]
    root = schema.subscription_type
    assert root is not None
    definition = root.fields[field.name.value]
    variables = get_variable_values(
        schema, node.variable_definitions or [], operation.variables or {}
    )
    if isinstance(variables, list):
        raise variables[0]
    args = get_argument_values(definition, field, variables)
    for name, kind in (("id", "listing"), ("productId", "product"), ("sellerId", "seller")):
        value = args.get(name, args.get(re.sub(r"([A-Z])", r"_\1", name).lower()))
        if value:
            return topic(kind, str(value))
    return ALL
