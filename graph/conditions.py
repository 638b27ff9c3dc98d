"""Condition: a neutral description of one filter on an item's attribute.

A leaf module: graph/extensions/filters.py turns a `where` argument into Conditions,
and the store compiles them into a DynamoDB FilterExpression, so neither imports the
other (imports flow one way: the store reads this description, nothing reads the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Operator = Literal["=", "<>", "<", "<=", ">", ">=", "IN"]
OPERATORS: frozenset[str] = frozenset({"=", "<>", "<", "<=", ">", ">=", "IN"})


@dataclass(frozen=True)
class Condition:
    """`path operator value`, e.g. `Condition(("custom", "size"), ">=", Decimal(9))`.

    `or_missing`: the condition also holds where the attribute is missing (a custom
    field whose declared default matches). For `IN`, `value` is a list of operands.
    """

    path: tuple[str, ...]
    operator: Operator
    value: Any
    or_missing: bool = False

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise ValueError(
                f"Condition on {'.'.join(self.path)!r}: unsupported operator "
                f"{self.operator!r}; use one of {', '.join(sorted(OPERATORS))}."
            )
        if not self.path:
            raise ValueError("Condition needs an attribute path, e.g. ('custom', 'size').")
