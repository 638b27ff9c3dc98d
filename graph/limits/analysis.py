"""Static analysis of a parsed document: depth, aliases, root fields, directives, cost.

It runs before graphql-core's validation and before any I/O, in one pass per fragment:
each fragment is measured once and the measure reused at every spread, so repeated
spreads (`...F ...F` chains that double at every level) and cyclic fragments cost
linear time. (Strawberry's QueryDepthLimiter and MaxAliasesLimiter, 0.341, re-walk a
fragment at every spread, so 22 doubling fragments took 30 s of CPU in a probe, and the
depth limiter raises KeyError on an unknown fragment.)

Conventions, chosen to be predictable for clients:

- depth: a root field is at depth 1, its sub-fields at 2, and so on; fragments and
  inline fragments add no level. Introspection fields (`__schema`, `__type`,
  `__typename`) are not counted (their nesting is fixed by the spec), but they do cost.
- aliases: every aliased field, counted again at every spread of its fragment.
- root fields: fields selected at the operation's top level, through fragments.
- directives: every directive written in the document (not expanded).
- cost: every field costs 1; the sub-selection of a field with a `first` argument is
  multiplied by `first` (its default when absent), of a field with an `ids` argument by
  the number of ids; nested lists multiply (as GitHub and Shopify count). A page given
  any optional argument besides `first`/`after` (`where`, `filter`, `status`) also costs
  the items it may read and drop: its read budget of FILTERED_PAGE_MAX_CALLS Queries of
  `first + 1` items each (walk.py `read_budget`; the shop's partitions likewise). The
  static cost so bounds the settled cost (fields resolved + items read and dropped, never
  below the DynamoDB calls), which settles the tenant's bucket after execution
  (graph/limits/extension.py).

The walk itself (depth, aliases, fields, cost, `first`/`ids` bounds) is graph/limits/walk.py;
this module counts directives, picks the operation and turns the measures into errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    Visitor,
    value_from_ast_untyped,
    visit,
)

from graph.errors import BadRequest, LimitExceeded
from graph.limits.walk import Cyclic, Walker
from graph.registry.tenants import Limits


@dataclass
class Analysis:
    """What the limits found; `errors` is empty when the document may go on."""

    cost: int = 0
    depth: int = 0
    aliases: int = 0
    root_fields: int = 0
    directives: int = 0
    errors: list[GraphQLError] = field(default_factory=list)


class _Counter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.count += 1


def count_directives(document: DocumentNode) -> int:
    """Every directive written in the document, as graphql-core's `visit` counts them,
    without its generic walk (a third of a product page's analysis) for executable
    definitions: directives sit on operations, variable definitions, fields, fragment
    spreads, inline fragments and fragment definitions. Any other definition (type
    system SDL, which validation refuses later) is counted by `visit`."""
    count = 0
    stack: list[Any] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            stack.append(definition)
            for variable in definition.variable_definitions or ():
                count += len(variable.directives or ())
        else:
            counter = _Counter()
            visit(definition, counter)
            count += counter.count
    while stack:
        node = stack.pop()
        count += len(node.directives or ())
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


def limit_error(
    message: str, name: str, value: int, actual: int | None, node: Node | None = None, **extra: Any
) -> GraphQLError:
    """A GraphQL error for a broken limit: code GRAPHQL_VALIDATION_FAILED and
    `extensions.limit = {name, value, actual}` (graph.execution.error_codes keeps both)."""
    original = LimitExceeded(
        message, limit={"name": name, "value": value, "actual": actual}, **extra
    )
    return GraphQLError(message, nodes=node, original_error=original)


def _variables(operation: OperationDefinitionNode, given: Mapping[str, Any]) -> dict[str, Any]:
    """The request's raw variables over the operation's declared defaults."""
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            values[definition.variable.name.value] = value_from_ast_untyped(
                definition.default_value
            )
    values.update(given)
    return values


def analyze(
    document: DocumentNode,
    schema: GraphQLSchema,
    limits: Limits,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> Analysis:
    """Measure every operation of the document against the tenant's limits; the cost is
    that of the operation that will run (`operation_name`, or the only one)."""
    result = Analysis(directives=count_directives(document))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    selected = _select(operations, operation_name)
    # The operation that runs is measured with its variables (cost, `first`, `ids`); the
    # others only for depth, aliases and root fields, which no variable changes.
    walker = Walker(
        schema,
        fragments,
        _variables(selected, variables or {}) if selected else {},
        check_arguments=True,
    )
    others = Walker(schema, fragments, {})
    widest: OperationDefinitionNode | None = None
    try:
        for operation in operations:
            root = schema.get_root_type(operation.operation)
            measuring = walker if operation is selected else others
            measure = measuring.selections(operation.selection_set, root)
            result.depth = max(result.depth, measure.depth)
            result.aliases += measure.aliases
            if measure.fields > result.root_fields:
                result.root_fields, widest = measure.fields, operation
            if operation is selected:
                result.cost = measure.cost
    except Cyclic as cyclic:
        result.errors.append(
            limit_error(
                f"Fragment '{cyclic.fragment}' spreads itself (directly or through other "
                "fragments), so the operation's depth has no bound; at most "
                f"{limits.max_depth} levels are allowed (limit maxDepth).",
                "maxDepth",
                limits.max_depth,
                None,
                fragments[cyclic.fragment],
            )
        )
        return result
    except RecursionError:
        result.errors.append(
            limit_error(
                "The document nests fields or fragments too deeply to be analysed; at most "
                f"{limits.max_depth} levels are allowed (limit maxDepth).",
                "maxDepth",
                limits.max_depth,
                None,
            )
        )
        return result
    _check(result, limits, widest, selected)
    if not result.errors and operations and selected is None:
        result.errors.append(_operation_error(operations, operation_name))
    if not result.errors:
        result.errors.extend(walker.input_errors)
    return result


def _operation_error(operations: list[OperationDefinitionNode], name: str | None) -> GraphQLError:
    """The spec's GetOperation: several operations need `operationName`, and it must exist."""
    names = ", ".join(op.name.value if op.name else "(anonymous)" for op in operations)
    if name is None:
        message = (
            f"The document has {len(operations)} operations ({names}); say which one to run "
            "with `operationName`."
        )
    else:
        message = f"The document has no operation named {name!r}; it has: {names}."
    return GraphQLError(message, original_error=BadRequest(message, operations=len(operations)))


def _select(
    operations: list[OperationDefinitionNode], name: str | None
) -> OperationDefinitionNode | None:
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


def _check(
    result: Analysis,
    limits: Limits,
    widest: OperationDefinitionNode | None,
    selected: OperationDefinitionNode | None,
) -> None:
    errors = result.errors
    if result.depth > limits.max_depth:
        errors.append(
            limit_error(
                f"The document nests fields {result.depth} levels deep; at most "
                f"{limits.max_depth} are allowed (limit maxDepth). Flatten the query or "
                "split it into several requests.",
                "maxDepth",
                limits.max_depth,
                result.depth,
            )
        )
    if result.aliases > limits.max_aliases:
        errors.append(
            limit_error(
                f"The document uses {result.aliases} aliases (counted at every fragment "
                f"spread); at most {limits.max_aliases} are allowed (limit maxAliases).",
                "maxAliases",
                limits.max_aliases,
                result.aliases,
            )
        )
    if result.root_fields > limits.max_root_fields:
        errors.append(
            limit_error(
                f"An operation selects {result.root_fields} root fields; at most "
                f"{limits.max_root_fields} are allowed (limit maxRootFields). Split it into "
                "several requests.",
                "maxRootFields",
                limits.max_root_fields,
                result.root_fields,
                widest,
            )
        )
    if result.directives > limits.max_directives:
        errors.append(
            limit_error(
                f"The document uses {result.directives} directives; at most "
                f"{limits.max_directives} are allowed (limit maxDirectives).",
                "maxDirectives",
                limits.max_directives,
                result.directives,
            )
        )
    if result.cost > limits.max_cost:
        errors.append(
            limit_error(
                f"The operation's estimated cost is {result.cost}, above the limit of "
                f"{limits.max_cost} (limit maxCost). Each field costs 1, and lists multiply "
                "what they select by `first` or by the number of `ids`: ask for fewer items "
                "or fewer nested lists.",
                "maxCost",
                limits.max_cost,
                result.cost,
                selected,
                cost={"requested": result.cost, "limit": limits.max_cost},
            )
        )
