"""`where` arguments -> Conditions (graph/conditions.py) on the listing's custom fields.

A filter is served as a DynamoDB FilterExpression on the GSI Query the page already
makes (by product or by seller): items are read, then the ones that do not match are
dropped. It costs the read capacity of every item read, matching or not; a page ends
early (with a cursor to continue) after a fixed number of Query calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from strawberry.utils.str_converters import to_camel_case

from graph.conditions import Condition, Operator
from graph.errors import BadUserInput
from graph.extensions import TenantExtension
from graph.extensions.spec import FieldSpec
from graph.extensions.values import default_stored, to_storage
from graph.numbers import representable

OPERATORS: dict[str, Operator] = {
    "eq": "=",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "in": "IN",
}
MAX_IN = 50


def conditions(
    ext: TenantExtension, where: Mapping[str, Any] | None, *, private: bool
) -> list[Condition]:
    """Store conditions for a `where`; only fields the caller may see can be filtered
    (`private`: write and admin keys), and no message names any other."""
    if not where:
        return []
    fields = ext.fields("listing", private=private)
    out: list[Condition] = []
    for name, ops in where.items():
        spec = fields.get(name)
        if spec is None or not spec.filterable:
            allowed = sorted(n for n, s in fields.items() if s.filterable)
            raise BadUserInput(
                f"`{name}` is not filterable; filterable fields: {', '.join(allowed) or 'none'}.",
                argument="where",
                field=name,
            )
        default = default_stored(spec) if spec.default is not None else None
        for op, value in (ops or {}).items():
            if value is None:
                continue
            if op == "in":
                if not 1 <= len(value) <= MAX_IN:
                    raise BadUserInput(
                        f"`{name}.in` takes 1 to {MAX_IN} values.", argument="where", field=name
                    )
                stored: Any = [to_storage(spec, v) for v in value]
            else:
                stored = to_storage(spec, value)
            for number in stored if isinstance(stored, list) else [stored]:
                if isinstance(number, Decimal) and not representable(number):
                    raise BadUserInput(
                        f"`where.{name}.{op}` is a number the data store cannot hold (at most "
                        "38 significant digits, magnitude 1E-130 to 1E+126).",
                        argument="where",
                        field=name,
                    )
            operator = OPERATORS[op]
            # An item without the field has its declared default: match it if that does.
            or_missing = default is not None and _holds(default, operator, stored)
            out.append(Condition(("custom", name), operator, stored, or_missing))
    return out


def facet_where(
    ext: TenantExtension, facets: Sequence[tuple[str, Sequence[str]]], *, private: bool
) -> dict[str, Any]:
    """`where` entries ({stored name: {"in": values}}) for the shop's `filter.facets`:
    indexed fields by the names and value texts `facets` reports (`authenticityGrade`,
    `"10.5"`), the same for every tenant, so one document (the widget's) filters any
    brand's fields."""
    fields = ext.fields("listing", private=private)
    names = {to_camel_case(n): n for n, _ in ext.indexed if n in fields}
    out: dict[str, Any] = {}
    for field, texts in facets:
        name = names.get(field)
        if name is None or name in out:
            raise BadUserInput(
                "`filter.facets` takes each indexed field once, by its name in `facets` "
                f"({', '.join(sorted(names)) or 'none here'}); got `{field}`.",
                argument="filter",
                field="facets",
            )
        if not 1 <= len(texts) <= MAX_IN:
            raise BadUserInput(
                f"`filter.facets` takes 1 to {MAX_IN} values of `{field}`.",
                argument="filter",
                field="facets",
            )
        out[name] = {"in": [_facet_value(fields[name], field, text) for text in texts]}
    return out


def _facet_value(spec: FieldSpec, field: str, text: str) -> Any:
    """A facet's value text as `where` takes it (what the field's GraphQL input gives)."""
    kind = spec.type
    try:
        if kind == "Int":
            return int(text)
        if kind == "Decimal":
            number = Decimal(text)
            if number.is_finite():
                return number
        elif kind == "Boolean" and text in ("true", "false"):
            return text == "true"
        elif kind == "String" or (kind == "enum" and text in spec.values):
            return text
    except (ValueError, InvalidOperation):
        pass
    raise BadUserInput(
        f"`{text[:64]}` is not a value of `{field}` ({kind}); send a value `facets` lists.",
        argument="filter",
        field="facets",
    )


def _holds(value: Any, operator: str, operand: Any) -> bool:
    checks: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: bool(a == b),
        ">": lambda a, b: bool(a > b),
        ">=": lambda a, b: bool(a >= b),
        "<": lambda a, b: bool(a < b),
        "<=": lambda a, b: bool(a <= b),
        "IN": lambda a, b: a in b,
    }
    try:
        return checks[operator](value, operand)
    except TypeError:
        return False
