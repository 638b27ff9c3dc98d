"""What the gateway knows about one HTTP request, in one typed place.

The ASGI layers fill it as the request goes in (the id, then the principal the key
resolved to, then the store's counters) and read it on the way out (log line, CORS,
rate headers). It lives in the ASGI scope's `state` dict under one key, so Starlette's
`request.state` and every pure-ASGI layer see the same object; nothing else reads
`scope["state"]` by string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.types import Scope

if TYPE_CHECKING:
    from graph.registry.tenants import Principal
    from graph.store import StoreStats

_KEY = "graph"


@dataclass
class RequestState:
    #: The gateway's own id of the request (never the client's); sent back as
    #: `X-Request-Id`, in every error, log line and audit entry.
    request_id: str = ""
    #: A sane `X-Request-Id` the client sent: kept beside the request id (echoed as
    #: `X-Correlation-Id`, logged, stamped on writes as `correlationId`), never as it.
    correlation_id: str | None = None
    #: Who the API key resolved to; None before authentication or without a key.
    principal: Principal | None = None
    #: DynamoDB calls and capacity of this request (set when its store is opened).
    store_stats: StoreStats | None = None


def request_state(scope: Scope) -> RequestState:
    """The request's state, created empty on first access."""
    state = scope.setdefault("state", {})
    found = state.get(_KEY)
    if not isinstance(found, RequestState):
        found = state[_KEY] = RequestState()
    return found
