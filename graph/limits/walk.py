"""One walk over a document's selections: depth, aliases, fields and cost, each fragment
measured once and the measure reused at every spread (graph/limits/analysis.py says why
and states the conventions).

Cost: every field costs 1; the sub-selection of a field with a `first` argument is
multiplied by `first` (its default when absent), except a connection's fields beside
`edges` (pageInfo, complete, facets: once a page), of a field with an `ids` argument by the
number of ids, of a field whose `input` argument is a list by its length (staged photo
uploads), of any other list of objects by its declared most entries (MAX_ENTRIES);
nested lists multiply. A page with a `where` filter also costs its read
budget of FILTERED_PAGE_MAX_CALLS Queries of `first + 1` items each; a mutation, the
DynamoDB calls its resolver makes (graph/limits/declared.py). Out-of-range `first`
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
    is_required_argument,
    value_from_ast_untyped,
)

from graph.bounds import FILTERED_PAGE_MAX_CALLS, MAX_ITEMS
from graph.errors import BadUserInput, GatewayError
from graph.limits.arguments import argument_errors
from graph.limits.declared import max_entries, read_partitions, write_calls

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
                weight, once = 1, 0
                if selection.selection_set is not None:
                    child_type = get_named_type(definition.type) if definition else None
                    child = self.selections(selection.selection_set, child_type)
                    weight = self.weight(selection, definition)
                    if weight > 1:
                        once = self.once_per_page(selection.selection_set, child_type)
                if not name.startswith("__"):
                    depth = max(depth, 1 + child.depth)
                aliases += child.aliases
                per_item = child.cost - once
                cost += 1 + weight * per_item + once
                cost += self.read_budget(selection, definition, weight)
                if parent is self.schema.mutation_type:  # only root writes declare calls
                    cost += self.write_budget(selection, definition)
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

    def once_per_page(
        self, selection_set: SelectionSetNode, connection: GraphQLNamedType | None
    ) -> int:
        """The cost, within a page's selection, of what a page resolves once whatever
        its length: a connection's fields beside `edges` (pageInfo, complete, facets).
        Zero for anything but a connection; fields under a fragment count per item
        (over, never under)."""
        if not isinstance(connection, GraphQLObjectType) or "edges" not in connection.fields:
            return 0
        once = SelectionSetNode(
            selections=tuple(
                s
                for s in selection_set.selections
                if isinstance(s, FieldNode) and s.name.value != "edges"
            )
        )
        checking, self.check_arguments = self.check_arguments, False  # checked already
        try:
            return self.selections(once, connection).cost
        finally:
            self.check_arguments = checking

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
        # A list without `first`/`ids` (images, photos, an entry's changes, facets and
        # their values): its declared most entries, which its resolver keeps to.
        return max_entries(definition) if definition is not None else 1

    def read_budget(self, node: FieldNode, definition: GraphQLField | None, first: int) -> int:
        """Items a page may read beyond those it returns: the worst case of its Queries.

        A page (a field with `first`) given any optional argument besides `first` and
        `after` is taken to filter: `where`, the shop's `filter`, and `status` of
        `productListings` and `Seller.listings` (a FilterExpression, not a key) may each
        read FILTERED_PAGE_MAX_CALLS Queries of `first + 1` items and drop them all. A
        new optional argument is so covered before anyone thinks of it; a range on the
        key (`auditTrail`'s `from`/`to`) is over-estimated, never under. A field whose
        page queries several partitions at once (the shop: READ_PARTITIONS in its
        metadata) reads `first + 1` items from each, filtered or not, and its filtered
        budget is at least one Query per partition."""
        if definition is None or "first" not in definition.args:
            return 0
        partitions = read_partitions(definition)
        for argument in node.arguments or ():
            name = argument.name.value
            declared = definition.args.get(name)
            if name in _PAGING or declared is None:
                continue
            if is_required_argument(declared):
                continue  # the page's key (productId, actor): what it reads, not a filter
            if self.value(argument.value) not in _NO_VALUES:
                return max(FILTERED_PAGE_MAX_CALLS, partitions) * (first + 1)
        return partitions * (first + 1) if partitions > 1 else 0

    def write_budget(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """The DynamoDB calls a mutation's resolver makes itself (WriteCalls): its base,
        plus its count per photo for each entry of `input.photos`."""
        declared = write_calls(definition) if definition is not None else None
        if declared is None:
            return 0
        photos = 0
        for argument in node.arguments or ():
            if argument.name.value == "input":
                given = self.value(argument.value)
                listed = given.get("photos") if isinstance(given, dict) else None
                photos = len(listed) if isinstance(listed, list) else 0
        return declared.calls(photos)

    def value(self, node: Any) -> Any:
        try:
            return value_from_ast_untyped(node, dict(self.variables))
        except (ValueError, TypeError):  # e.g. an Int literal too long to convert
            return Undefined


#: Paging arguments: where a page starts and how long it is, never what it reads past.
_PAGING = frozenset({"first", "after"})
#: Argument values that filter nothing (an absent or null `where`, an empty filter).
_NO_VALUES: tuple[Any, ...] = (None, Undefined, {}, [])


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
