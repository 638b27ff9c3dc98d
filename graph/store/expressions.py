"""Expressions the store compiles: FilterExpression from Conditions (graph/conditions.py)
and ProjectionExpression from the attributes a caller wants to read.

Both fill the request's ExpressionAttributeNames (and Values) with placeholders, so no
attribute name ever clashes with DynamoDB's reserved words.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from graph.conditions import Condition
from graph.store.items import value_to_wire

#: An attribute path: `("price",)` or `("custom", "size")`.
Path = tuple[str, ...]


def filter_expression(
    conditions: Sequence[Condition], names: dict[str, str], values: dict[str, Any]
) -> str:
    """`#f0_0.#f0_1 >= :f0 AND ...`, adding its placeholders to `names` and `values`."""
    parts = []
    for n, condition in enumerate(conditions):
        segments = []
        for m, segment in enumerate(condition.path):
            names[f"#f{n}_{m}"] = segment
            segments.append(f"#f{n}_{m}")
        attr = ".".join(segments)
        if condition.operator == "IN":
            placeholders = []
            for m, item in enumerate(condition.value):
                values[f":f{n}_{m}"] = value_to_wire(item)
                placeholders.append(f":f{n}_{m}")
            expression = f"{attr} IN ({', '.join(placeholders)})"
        else:
            values[f":f{n}"] = value_to_wire(condition.value)
            expression = f"{attr} {condition.operator} :f{n}"
        if condition.or_missing:
            expression = f"(attribute_not_exists({attr}) OR {expression})"
        parts.append(expression)
    return " AND ".join(parts)


def projected_paths(
    selected: Collection[str], needed: Iterable[str] = (), nested: Iterable[Path] = ()
) -> list[Path]:
    """The paths to read: the `selected` attributes, the attributes the store itself
    needs (`needed`: keys) and `nested` paths (filtered attributes), without overlaps
    (DynamoDB refuses `custom, custom.size`): a path under a read attribute is dropped."""
    top = sorted({*selected, *needed})
    paths: list[Path] = [(name,) for name in top]
    tops = set(top)
    for path in sorted(set(nested)):
        if path[0] not in tops and path not in paths:
            paths.append(path)
    return paths


def projection_expression(paths: Sequence[Path], names: dict[str, str]) -> str:
    """`#p0, #p1, #p2.#p3`, adding its placeholders to `names` (a name used twice, as in
    `custom.size, custom.color`, gets one placeholder)."""
    placeholder: dict[str, str] = {}
    parts = []
    for path in paths:
        segments = []
        for segment in path:
            if segment not in placeholder:
                placeholder[segment] = key = f"#p{len(placeholder)}"
                names[key] = segment
            segments.append(placeholder[segment])
        parts.append(".".join(segments))
    return ", ".join(parts)
