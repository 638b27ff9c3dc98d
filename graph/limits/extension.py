"""RequestLimits: a tenant's limits applied to each request, before any I/O.

    on_operation  `extensions.cost` starts; after the operation it gets the settled
                  cost (graph/limits/settlement.py) and, for keys that may read private
                  fields only, the DynamoDB calls, the consumed capacity and the shop
                  plans' items read: figures that grow with private fields' size
    on_parse      graphql-core's parser stops after `max_tokens` tokens
    on_validate   graph.limits.analysis measures the document; any broken limit ends the
                  request there, before graphql-core's own validation (whose
                  overlapping-fields rule is quadratic) and before execution; introspection
                  is refused unless enabled or the key is admin
    on_execute    the cost is charged to the tenant's token bucket (THROTTLED when empty);
                  "Did you mean ...?" hints are removed unless enabled or the key is admin

Per-request state lives in the execution context (`extensions_results["cost"]`) and in
the request's ContextVars, never on the extension: Strawberry 0.341 builds a fresh
extension per execution from the factory we pass, but an extension *instance* passed to
a schema is shared between parallel executions (strawberry #3571, #4369).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from graphql import DocumentNode, GraphQLError
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType as StrawberryOperationType

from graph.errors import GRAPHQL_VALIDATION_FAILED, Throttled
from graph.execution.internals import graphql_schema
from graph.limits.analysis import analyze, limit_error
from graph.limits.buckets import current_admission
from graph.limits.lru import WeightedLRU
from graph.limits.settlement import resolved_fields as resolved_fields
from graph.limits.settlement import sees_private, settled
from graph.observability import current_request
from graph.registry.tenants import Limits

_TOKENS = re.compile(r"Document contains more than \d+ tokens\. Parsing aborted\.")
_SUGGESTION = re.compile(r"\s*Did you mean\b.*\?\s*$", re.DOTALL)
#: A shop plan's figures that count what DynamoDB read (private attributes included).
_READ_FIGURES = frozenset({"itemsRead"})


#: A parsed document takes up to about 115 bytes per character of its text (measured
#: with tracemalloc on graphql-core 3.2: 2,000 one-letter fields in 10.8 kB of text held
#: 1.2 MB); a long string or name token takes far less, so this over-estimates them.
PARSED_BYTES_PER_CHAR = 120


class ValidDocuments:
    """Documents that passed graphql-core's validation, per schema and rule set (LRU,
    bounded in entries and in the characters of the texts it keeps).

    Validation costs about a millisecond for a product page; storefronts send the same
    few documents again and again. Only successes are remembered: a document with
    errors is validated afresh, so no error object is shared between requests.
    """

    def __init__(self, size: int = 2048, max_bytes: int = 8 * 1024 * 1024) -> None:
        self._keys: WeightedLRU[tuple[Any, str, tuple[Any, ...]], bool] = WeightedLRU(
            size, max_bytes
        )

    def seen(self, key: tuple[Any, str, tuple[Any, ...]]) -> bool:
        return self._keys.get(key) is not None

    def add(self, key: tuple[Any, str, tuple[Any, ...]]) -> None:
        self._keys.add(key, True, len(key[1]) + 200)


VALID_DOCUMENTS = ValidDocuments()


class ParsedDocuments:
    """Parsed documents by (text, token limit), LRU, bounded in entries and in estimated
    bytes (`PARSED_BYTES_PER_CHAR`). Parsing a product page costs about as much as
    validating it, and graphql-core never changes a DocumentNode, so one parse serves
    every request that sends the same text. Only successes are kept."""

    def __init__(self, size: int = 1024, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._documents: WeightedLRU[tuple[str, int], DocumentNode] = WeightedLRU(size, max_bytes)

    @property
    def bytes(self) -> int:
        return self._documents.bytes

    def get(self, key: tuple[str, int]) -> DocumentNode | None:
        return self._documents.get(key)

    def add(self, key: tuple[str, int], document: DocumentNode) -> None:
        self._documents.add(key, document, len(key[0]) * PARSED_BYTES_PER_CHAR)

    def __len__(self) -> int:
        return len(self._documents)


PARSED_DOCUMENTS = ParsedDocuments()


class RequestLimits(SchemaExtension):
    def __init__(self, *, limits: Limits, introspection: bool, suggestions: bool) -> None:
        self.limits = limits
        self.introspection = introspection
        self.suggestions = suggestions

    # -- hooks -------------------------------------------------------------------------

    def on_operation(self) -> Iterator[None]:
        ec = self.execution_context
        cost: dict[str, Any] = {"requested": 0}
        ec.extensions_results["cost"] = cost
        yield
        # In place: on early errors Strawberry has already copied this dict's reference
        # into the response's extensions.
        context = ec.context
        stats = getattr(getattr(context, "store", None), "stats", None)
        actual = settled(context, ec.result, int(cost["requested"]))
        cost.update(actual=actual)
        private = sees_private(context)
        if private:
            # Capacity, calls and items read grow with the size of every attribute read
            # (DynamoDB ends a Query at 1 MB), private fields included: shown only to
            # keys that may read those fields (graph/limits/settlement.py).
            cost.update(
                actualReadCapacity=round(stats.read_capacity, 2) if stats else 0.0,
                actualWriteCapacity=round(stats.write_capacity, 2) if stats else 0.0,
                dynamodbCalls=stats.total_calls if stats else 0,
            )
        if stats is not None and stats.plans:  # the shop's pages: index, read vs returned
            cost["plans"] = [
                plan if private else {k: v for k, v in plan.items() if k not in _READ_FIGURES}
                for plan in stats.plans
            ]
        admission = current_admission.get()
        if admission is not None:
            admission.settle(max(actual, 1))
        info = current_request.get()
        if info is not None:
            info.operation_name = ec.operation_name
            info.cost = cost["requested"]
            try:
                info.operation_type = ec.operation_type.value
            except RuntimeError:  # no (single) operation in the document
                info.operation_type = None

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        ec.parse_options["max_tokens"] = self.limits.max_tokens
        key = (ec.query, self.limits.max_tokens) if ec.query else None
        if key is not None and ec.graphql_document is None:
            # Set before Strawberry parses: it then skips parsing (as ParserCache does).
            ec.graphql_document = PARSED_DOCUMENTS.get(key)
        yield
        if key is not None and ec.graphql_document is not None and not ec.pre_execution_errors:
            PARSED_DOCUMENTS.add(key, ec.graphql_document)
        for error in ec.pre_execution_errors or ():
            if error.original_error is None and _TOKENS.search(error.message):
                # The same error object is in the response: give it the limit's code.
                error.original_error = limit_error(
                    f"The document has more than {self.limits.max_tokens} tokens; at most "
                    f"{self.limits.max_tokens} are allowed (limit maxTokens). Send a smaller "
                    "document.",
                    "maxTokens",
                    self.limits.max_tokens,
                    None,
                ).original_error

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        document = ec.graphql_document
        privileged = self._privileged()
        if document is not None:
            analysis = analyze(
                document,
                graphql_schema(ec.schema),
                self.limits,
                operation_name=requested_operation(ec),
                variables=ec.variables,
            )
            ec.extensions_results["cost"]["requested"] = analysis.cost
            if analysis.errors:
                # Set before Strawberry validates: it then skips graphql-core's rules and
                # returns these errors.
                ec.pre_execution_errors = analysis.errors
                yield
                return
        if not (self.introspection or privileged):
            ec.validation_rules = (*ec.validation_rules, NoSchemaIntrospectionCustomRule)
        key = (
            (graphql_schema(ec.schema), ec.query, tuple(ec.validation_rules)) if ec.query else None
        )
        if key is not None and VALID_DOCUMENTS.seen(key):
            ec.pre_execution_errors = []  # validated before: Strawberry skips validation
        yield
        if key is not None and ec.pre_execution_errors == []:
            VALID_DOCUMENTS.add(key)
        for error in ec.pre_execution_errors or ():
            # graphql-core's rules (an unused variable, an unknown field, ...): say so, so
            # that no message-based guess can take them for bad variable values.
            if error.original_error is None and not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": GRAPHQL_VALIDATION_FAILED}
        if not (self.suggestions or privileged):
            _strip_suggestions(ec.pre_execution_errors or ())

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        admission = current_admission.get()
        if admission is not None and ec.result is None:
            cost = int(ec.extensions_results["cost"]["requested"])
            decision = admission.charge(cost)
            if not decision.allowed:
                bucket = admission.bucket
                message = (
                    f"Rate limit reached: this operation costs {cost} and the tenant's budget "
                    f"({bucket.capacity:g}, refilled at {bucket.rate:g} per second) is spent. "
                    f"Retry in {decision.retry_after} s."
                )
                throttled = Throttled(message, retryAfter=decision.retry_after)
                error = GraphQLError(message, original_error=throttled)
                if _is_subscription(ec):
                    # A subscription ignores a preset result: raised here, Strawberry
                    # answers the subscribe with this error and never subscribes.
                    raise error
                # A preset result makes Strawberry skip execution (its documented cache
                # hook) while ErrorCodes still sees the error.
                ec.result = GraphQLExecutionResult(data=None, errors=[error])
            elif _is_subscription(ec):
                admission.subscribed(cost)  # each event pays from now on
        yield
        if not (self.suggestions or self._privileged()) and ec.result is not None:
            _strip_suggestions(getattr(ec.result, "errors", None) or ())

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """A subscription's event, resolved: it settles on its own work (the context's
        store is fresh for each event), as an HTTP request does."""
        admission = current_admission.get()
        if admission is not None and admission.ran and admission.per_event is not None:
            event = settled(self.execution_context.context, result, admission.per_event)
            admission.delivered(max(event, 1))
        yield

    # -- helpers -----------------------------------------------------------------------

    def _privileged(self) -> bool:
        principal = getattr(self.execution_context.context, "principal", None)
        return bool(principal is not None and principal.can("admin"))


def _is_subscription(ec: Any) -> bool:
    # Strawberry's own OperationType (graphql-core's is another enum, never equal to it).
    try:
        return bool(ec.operation_type == StrawberryOperationType.SUBSCRIPTION)
    except RuntimeError:  # no (single) operation in the document
        return False


def requested_operation(ec: Any) -> str | None:
    """The `operationName` the client sent. Strawberry's `operation_name` falls back to
    the document's first operation, which would run the first of several operations
    when the spec says to refuse (there is no public accessor for the sent name)."""
    sent: str | None = getattr(ec, "_provided_operation_name", ec.operation_name)
    return sent


def _strip_suggestions(errors: Iterable[GraphQLError]) -> None:
    for error in errors:
        if "Did you mean" in error.message:
            error.message = _SUGGESTION.sub("", error.message)


def limit_extensions(
    limits: Limits, *, introspection: bool, suggestions: bool
) -> list[Callable[[], SchemaExtension]]:
    """Extension factories for one tenant's schema (a fresh extension per request)."""
    return [
        partial(RequestLimits, limits=limits, introspection=introspection, suggestions=suggestions)
    ]
