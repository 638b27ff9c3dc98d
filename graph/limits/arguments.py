"""Bounds on argument values, checked on the document before any I/O.

Every string a client passes as an argument, written in the document or sent as a
variable, is measured here before a resolver sees it. The bounds follow what the value
becomes in DynamoDB (keys of at most 2,048 bytes, 4 KB expressions, 400 KB items) and
what a valid value can be:

    ID                     MAX_ID_LENGTH       ids are keys (ours have at most 64 chars)
    String in a query      MAX_STRING_LENGTH   actors, cursors, filter values: expressions
    String in an `input`   MAX_INPUT_LENGTH    stored text; the field's own rule is finer
    DateTime, Decimal      MAX_SCALAR_TEXT     never longer when valid
    JSON                   MAX_JSON_BYTES      stored as one attribute

A string with a lone UTF-16 surrogate is refused too (it cannot be encoded as UTF-8).
Each refusal is BAD_USER_INPUT naming the argument (`productListings.where.size.eq`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    value_from_ast_untyped,
)

from graph.errors import BadUserInput
from graph.http.bodies import SURROGATE

MAX_ID_LENGTH = 128
MAX_STRING_LENGTH = 1024
MAX_INPUT_LENGTH = 16 * 1024
MAX_JSON_BYTES = 64 * 1024
#: Longest text of a DateTime or Decimal: more is never a valid value.
MAX_SCALAR_TEXT = 64
#: Arguments whose strings are stored (mutation inputs) rather than sent as expressions.
STORED_ARGUMENTS = frozenset({"input"})


def _limit(scalar: str, stored: bool) -> int:
    if scalar == "ID":
        return MAX_ID_LENGTH
    if scalar in {"DateTime", "Decimal"}:
        return MAX_SCALAR_TEXT
    return MAX_INPUT_LENGTH if stored else MAX_STRING_LENGTH


def _problems(
    kind: GraphQLInputType, value: Any, path: str, stored: bool
) -> Iterator[tuple[str, str]]:
    """(path, problem) for every string in `value` that breaks its bound."""
    if value is None or value is Undefined:
        return
    if isinstance(kind, GraphQLNonNull):
        yield from _problems(kind.of_type, value, path, stored)
    elif isinstance(kind, GraphQLList):
        for n, item in enumerate(value if isinstance(value, list) else [value]):
            yield from _problems(kind.of_type, item, f"{path}[{n}]", stored)
    elif isinstance(kind, GraphQLInputObjectType):
        if isinstance(value, Mapping):
            for name, item in value.items():
                field = kind.fields.get(name)
                if field is not None:
                    yield from _problems(field.type, item, f"{path}.{name}", stored)
    elif isinstance(kind, GraphQLScalarType) and kind.name == "JSON":
        try:
            size = len(json.dumps(value, ensure_ascii=False).encode())
        except (UnicodeEncodeError, ValueError, TypeError):
            yield path, "holds a string that is not valid Unicode (a lone surrogate)"
            return
        if size > MAX_JSON_BYTES:
            yield path, f"takes {size} bytes as JSON; at most {MAX_JSON_BYTES} are allowed"
    elif isinstance(value, str):
        limit = _limit(kind.name, stored)
        if len(value) > limit:
            yield path, f"is {len(value)} characters long; at most {limit} are allowed"
        elif SURROGATE.search(value):
            yield path, "holds a lone UTF-16 surrogate, which is not valid Unicode"


def argument_errors(
    node: FieldNode, definition: GraphQLField, variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """Problems with the arguments of one field selection, before any I/O."""
    errors: list[GraphQLError] = []
    for argument in node.arguments or ():
        name = argument.name.value
        declared = definition.args.get(name)
        if declared is None:
            continue  # unknown argument: graphql-core's validation reports it
        try:
            value = value_from_ast_untyped(argument.value, dict(variables))
        except (ValueError, TypeError):
            continue  # not a value graphql-core accepts: its validation reports it
        path = f"{node.name.value}.{name}"
        for where, problem in _problems(declared.type, value, path, name in STORED_ARGUMENTS):
            error = BadUserInput(f"`{where}` {problem}.", argument=where)
            errors.append(GraphQLError(error.message, nodes=argument, original_error=error))
    return errors
