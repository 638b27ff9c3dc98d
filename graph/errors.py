"""One error tree; every error a client sees carries a stable `extensions.code`.

    GatewayError                      (code)
    ├── BadUserInput                  BAD_USER_INPUT     the request is wrong; fix it
    ├── Unauthenticated               UNAUTHENTICATED    no or unknown API key
    ├── Forbidden                     FORBIDDEN          the key lacks the scope
    ├── Conflict                      CONFLICT           a write lost a version race
    ├── Throttled                     THROTTLED          over the tenant's rate; retry later
    ├── Unavailable                   UNAVAILABLE        DynamoDB did not answer; retryable
    ├── IndexNotReady                 INDEX_NOT_READY    the index a query needs is missing
    │                                 from the tenant's table, or still being built;
    │                                 `extensions.index` names it
    ├── InternalError                 INTERNAL_SERVER_ERROR  a bug; details only in logs
    ├── LimitExceeded                 GRAPHQL_VALIDATION_FAILED  over a static limit
    │                                 (depth, aliases, root fields, tokens, directives, cost);
    │                                 `extensions.limit` names it: {name, value, actual}
    ├── BadRequest                    BAD_REQUEST        not a GraphQL request (bad JSON, array)
    ├── NotFound                      NOT_FOUND          no such path
    ├── MethodNotAllowed              METHOD_NOT_ALLOWED wrong HTTP method
    ├── PayloadTooLarge               PAYLOAD_TOO_LARGE  body over the size limit (413)
    ├── PersistedQueryNotFound        PERSISTED_QUERY_NOT_FOUND  unknown hash; send the query
    ├── PersistedQueryNotSupported    PERSISTED_QUERY_NOT_SUPPORTED  unsupported APQ version
    ├── SubscriptionLimitExceeded     SUBSCRIPTION_LIMIT_EXCEEDED  too many open subscriptions
    │                                 (per connection or per tenant); `extensions.limit`
    └── IdleTimeout                   IDLE_TIMEOUT       a WebSocket connection was silent too
                                      long (the close reason starts with the code)

GraphQL's own failures use GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED.
"""

from __future__ import annotations

from typing import Any, ClassVar


class GatewayError(Exception):
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    #: HTTP status used when the error ends the request before GraphQL execution.
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions

    def as_extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.extensions}


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"
    http_status = 401


class Forbidden(GatewayError):
    code = "FORBIDDEN"
    http_status = 403


class Conflict(GatewayError):
    code = "CONFLICT"
    http_status = 409


class Throttled(GatewayError):
    code = "THROTTLED"
    http_status = 429


class Unavailable(GatewayError):
    code = "UNAVAILABLE"
    http_status = 503


class IndexNotReady(GatewayError):
    """A Query needs an index the tenant's table does not have yet (a field newly
    declared `indexed` before its indexes were deployed) or is still building."""

    code = "INDEX_NOT_READY"
    http_status = 503


class InternalError(GatewayError):
    code = "INTERNAL_SERVER_ERROR"
    http_status = 500


GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


class LimitExceeded(GatewayError):
    """A static limit (graph/limits) rejected the document before any I/O."""

    code = GRAPHQL_VALIDATION_FAILED


class BadRequest(GatewayError):
    code = "BAD_REQUEST"


class NotFound(GatewayError):
    code = "NOT_FOUND"
    http_status = 404


class MethodNotAllowed(GatewayError):
    code = "METHOD_NOT_ALLOWED"
    http_status = 405


class PayloadTooLarge(GatewayError):
    code = "PAYLOAD_TOO_LARGE"
    http_status = 413


class PersistedQueryNotFound(GatewayError):
    code = "PERSISTED_QUERY_NOT_FOUND"
    #: 200 as Apollo Server answers it: APQ clients then retry with the full query.
    http_status = 200


class PersistedQueryNotSupported(GatewayError):
    code = "PERSISTED_QUERY_NOT_SUPPORTED"


class SubscriptionLimitExceeded(GatewayError):
    """A subscribe over the connection's or the tenant's limit of open subscriptions."""

    code = "SUBSCRIPTION_LIMIT_EXCEEDED"
    http_status = 429


class IdleTimeout(GatewayError):
    """A WebSocket connection sent and received nothing for too long (close 4000)."""

    code = "IDLE_TIMEOUT"


#: Every code a client can see; the README documents each.
ERROR_CODES: frozenset[str] = frozenset(
    {
        cls.code
        for cls in (
            BadUserInput,
            Unauthenticated,
            Forbidden,
            Conflict,
            Throttled,
            Unavailable,
            IndexNotReady,
            InternalError,
            BadRequest,
            NotFound,
            MethodNotAllowed,
            PayloadTooLarge,
            PersistedQueryNotFound,
            PersistedQueryNotSupported,
            SubscriptionLimitExceeded,
            IdleTimeout,
        )
    }
    | {GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED}
)
