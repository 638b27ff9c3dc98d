"""One walk over a document's selections: depth, aliases, fields and cost, each fragment
measured once and the measure reused at every spread (graph/limits/analysis.py says why
and states the conventions).

Cost: every field costs 1; the sub-selection of a field with a `first` argument is
multiplied by `first` (its default when absent), of a field with an `ids` argument by the
number of ids, of a field whose `input` argument is a list by its length (staged photo
uploads); nested lists multiply. A page with a `where` filter also costs its read
budget of FILTERED_PAGE_MAX_CALLS Queries of `first + 1` items each. Out-of-range `first`
and `ids` are collected as input errors (`Walker.input_errors`) when `check_arguments`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    SelectionSetNode,
    Undefined,
    get_named_type,
    value_from_ast_untyped,
)

from graph.bounds import FILTERED_PAGE_MAX_CALLS, MAX_ITEMS
from graph.errors import BadUserInput, GatewayError
from graph.limits.arguments import argument_errors

# The API's page and id-list bounds are the store's and the resolvers' own numbers:
# checked here before any I/O, and again where they apply.


@dataclass(frozen=True)
class Measure:
    depth: int = 0
    aliases: int = 0
    fields: int = 0
    cost: int = 0


class Cyclic(Exception):
    def __init__(self, fragment: str) -> None:
        self.fragment = fragment


def _input_error(error: GatewayError, node: Node) -> GraphQLError:
    return GraphQLError(error.message, nodes=node, original_error=error)


class Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        *,
        check_arguments: bool = False,
    ) -> None:
        self.schema = schema
        self.check_arguments = check_arguments
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[str, Measure] = {}
        self.active: set[str] = set()
        self.input_errors: list[GraphQLError] = []

    def fragment(self, name: str) -> Measure:
        found = self.memo.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None:
            return Measure()  # unknown fragment: graphql-core's validation reports it
        if name in self.active:
            raise Cyclic(name)
        self.active.add(name)
        try:
            on = self.schema.get_type(definition.type_condition.name.value)
            measure = self.selections(definition.selection_set, on)
        finally:
            self.active.discard(name)
        self.memo[name] = measure
        return measure

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None
    ) -> Measure:
        depth = aliases = fields = cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                fields += 1
                aliases += 1 if selection.alias else 0
                definition = _field(parent, name)
                if self.check_arguments and definition is not None and selection.arguments:
                    self.input_errors.extend(argument_errors(selection, definition, self.variables))
                child = Measure()
                weight = 1
                if selection.selection_set is not None:
                    child_type = get_named_type(definition.type) if definition else None
                    child = self.selections(selection.selection_set, child_type)
                    weight = self.weight(selection, definition)
                if not name.startswith("__"):
                    depth = max(depth, 1 + child.depth)
                aliases += child.aliases
                cost += 1 + weight * child.cost + self.read_budget(selection, weight)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                child = self.selections(selection.selection_set, on)
            elif isinstance(selection, FragmentSpreadNode):
                child = self.fragment(selection.name.value)
            else:  # pragma: no cover - graphql-core has no other selection kind
                continue
            depth = max(depth, child.depth)
            aliases += child.aliases
            fields += child.fields
            cost += child.cost
        return Measure(depth=depth, aliases=aliases, fields=fields, cost=cost)

    def weight(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """How many times the sub-selection of `node` may be resolved."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        if "first" in given or (definition is not None and "first" in definition.args):
            first = self.value(given["first"]) if "first" in given else Undefined
            if first is Undefined and definition is not None and "first" in definition.args:
                first = definition.args["first"].default_value
            first = _as_int(first)
            if first is None:
                return 1  # not an Int: variable coercion rejects it before execution
            if not 1 <= first <= MAX_ITEMS:
                self.input_errors.append(
                    _input_error(
                        BadUserInput(
                            f"`first` must be between 1 and {MAX_ITEMS}; got {first}.",
                            argument="first",
                        ),
                        node,
                    )
                )
                return 1
            return first
        if "ids" in given:
            ids = self.value(given["ids"])
            count = len(ids) if isinstance(ids, list) else 1
            if count > MAX_ITEMS:
                self.input_errors.append(
                    _input_error(
                        BadUserInput(
                            f"`ids` takes at most {MAX_ITEMS} ids; got {count}. Split the request.",
                            argument="ids",
                        ),
                        node,
                    )
                )
            return max(count, 1)
        if "input" in given:
            # A list input (stagePhotoUploads' files): its sub-selection once per entry.
            entries = self.value(given["input"])
            if isinstance(entries, list):
                return max(len(entries), 1)
        return 1

    def read_budget(self, node: FieldNode, first: int) -> int:
        """Items a filtered page may read and drop: its Queries (each of `first + 1`
        items) up to the read budget. An unfiltered page reads what it returns."""
        for argument in node.arguments or ():
            # `filter`: the shop's condition and price filters (Query.shop)
            if argument.name.value in ("where", "filter") and self.value(argument.value):
                return FILTERED_PAGE_MAX_CALLS * (first + 1)
        return 0

    def value(self, node: Any) -> Any:
        try:
            return value_from_ast_untyped(node, dict(self.variables))
        except (ValueError, TypeError):  # e.g. an Int literal too long to convert
            return Undefined


def _field(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
