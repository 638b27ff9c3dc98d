"""Custom field values: validate input, convert to stored form and back.

Stored forms: Decimal for Int/Float/Decimal (DynamoDB numbers; floats via their
shortest repr, so they read back equal), DateTime as an ISO 8601 string in UTC with
milliseconds (so ranges compare as strings), JSON as a JSON string (exact round trip,
any shape), enums as their name, objects as maps, lists as lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from graph.domain import UserError, UserErrorCode, text_problem
from graph.extensions.spec import FieldSpec
from graph.numbers import representable

Path = tuple[str, ...]


def to_storage(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    kind = spec.type
    if kind == "Float" or (kind == "Decimal" and isinstance(value, float)):
        # A float (also a Decimal default written as 10.1 in TOML) by its shortest repr,
        # not its 50-digit binary expansion.
        return Decimal(repr(float(value)))
    if kind in {"Int", "Decimal"}:
        return Decimal(value)
    if kind == "DateTime":
        moment: datetime = value
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")
    if kind == "JSON":
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if kind == "list":
        assert spec.items is not None
        return [to_storage(spec.items, v) for v in value]
    if kind == "object":
        return {
            name: to_storage(sub, value[name])
            for name, sub in spec.fields.items()
            if value.get(name) is not None
        }
    return value


def from_storage(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None if spec.default is None else from_storage(spec, default_stored(spec))
    kind = spec.type
    if kind == "Int":
        return int(value)
    if kind == "Float":
        return float(value)
    if kind == "Decimal":
        return Decimal(value)
    if kind == "DateTime":
        return datetime.fromisoformat(value)
    if kind == "JSON":
        return json.loads(value)
    if kind == "list":
        assert spec.items is not None
        return [from_storage(spec.items, v) for v in value]
    if kind == "object":
        return {name: from_storage(sub, value.get(name)) for name, sub in spec.fields.items()}
    return value


def default_stored(spec: FieldSpec) -> Any:
    """A declared default in stored form (declared in the file as plain TOML/YAML)."""
    if spec.type == "DateTime" and isinstance(spec.default, str):
        return to_storage(spec, datetime.fromisoformat(spec.default))
    if spec.type == "DateTime" and isinstance(spec.default, datetime):
        return to_storage(spec, spec.default)
    return to_storage(spec, spec.default)


def check_value(spec: FieldSpec, value: Any, path: Path, errors: list[UserError]) -> None:
    kind = spec.type
    if kind in {"Int", "Float", "Decimal"}:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not representable(number):
            errors.append(
                UserError(
                    path,
                    "Must be a finite number with at most 38 significant digits and a "
                    "magnitude from 1E-130 to 1E+126.",
                    UserErrorCode.OUT_OF_RANGE if number.is_finite() else UserErrorCode.INVALID,
                )
            )
        elif spec.min is not None and number < spec.min:
            errors.append(
                UserError(path, f"Must be at least {spec.min}.", UserErrorCode.OUT_OF_RANGE)
            )
        elif spec.max is not None and number > spec.max:
            errors.append(
                UserError(path, f"Must be at most {spec.max}.", UserErrorCode.OUT_OF_RANGE)
            )
    elif kind == "DateTime":
        if value.tzinfo is None:
            errors.append(
                UserError(path, "Needs a time zone, e.g. Z or +02:00.", UserErrorCode.INVALID)
            )
    elif kind == "String":
        problem = text_problem(value, multiline=True)
        if problem is not None:
            errors.append(UserError(path, problem, UserErrorCode.INVALID))
        check_length(spec, len(value), path, errors)
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            errors.append(UserError(path, f"Must match {spec.pattern}.", UserErrorCode.INVALID))
    elif kind == "list":
        check_length(spec, len(value), path, errors)
        assert spec.items is not None
        for n, item in enumerate(value):
            if item is None:
                errors.append(
                    UserError((*path, str(n)), "Must not be null.", UserErrorCode.REQUIRED)
                )
            else:
                check_value(spec.items, item, (*path, str(n)), errors)
    elif kind == "object":
        errors.extend(validate_values(spec.fields, value, path, creating=True))
    elif kind == "JSON" and spec.json_schema is not None:
        import jsonschema  # loaded by the declarations' check already; a dict look-up here

        try:
            jsonschema.validate(value, spec.json_schema)
        except jsonschema.ValidationError as exc:
            where = [str(p) for p in exc.absolute_path]
            errors.append(UserError((*path, *where), exc.message, UserErrorCode.INVALID))


def check_length(spec: FieldSpec, length: int, path: Path, errors: list[UserError]) -> None:
    if spec.min_length is not None and length < spec.min_length:
        errors.append(
            UserError(
                path, f"At least {spec.min_length} characters/items.", UserErrorCode.OUT_OF_RANGE
            )
        )
    elif spec.max_length is not None and length > spec.max_length:
        errors.append(
            UserError(path, f"At most {spec.max_length} characters/items.", UserErrorCode.TOO_LONG)
        )


def validate_values(
    fields: Mapping[str, FieldSpec],
    values: Mapping[str, Any],
    path: Path,
    *,
    creating: bool,
) -> list[UserError]:
    """Problems with custom values, each with its path (`("custom", "size")`)."""
    errors: list[UserError] = []
    for name, spec in fields.items():
        here = (*path, name)
        value = values.get(name)
        if value is None:
            if creating and spec.required:
                errors.append(UserError(here, "This field is required.", UserErrorCode.REQUIRED))
            continue
        check_value(spec, value, here, errors)
    unknown = sorted(set(values) - set(fields))
    for name in unknown:
        errors.append(
            UserError((*path, name), "Not a declared custom field.", UserErrorCode.INVALID)
        )
    return errors


def stored_values(
    fields: Mapping[str, FieldSpec], values: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    """Input values -> stored form; on create, defaults fill what was not given.

    On update, a field given as null is returned as None (meaning: remove it)."""
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        if name in values:
            out[name] = to_storage(spec, values[name])
        elif creating and spec.default is not None:
            out[name] = default_stored(spec)
    if creating:
        out = {k: v for k, v in out.items() if v is not None}
    return out
