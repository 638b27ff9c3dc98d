"""The API's custom scalars, with their wire formats and errors in the API's words.

- `DateTime`: an RFC 3339 / ISO 8601 instant with a time zone, e.g. `2026-11-27T10:00:00Z`.
- `Decimal`: an exact decimal number sent as a string (`"129.90"`), at most 38
  significant digits with an exponent DynamoDB can store (its number type's limits).
- `JSON`: Strawberry's, except that an object or array value is serialized as a
  `JSONObject`/`JSONArray`, so the settled cost counts it as the one field it is.

They replace Strawberry's defaults (`schema_overrides()`), whose errors echo Python
("invalid literal for int() with base 10") and whose Decimal accepts numbers DynamoDB
cannot store. Each carries `@specifiedBy`, so code generators can map it.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from graph.limits.arguments import MAX_SCALAR_TEXT
from graph.numbers import MAX_ADJUSTED_EXPONENT, MAX_DIGITS, MIN_ADJUSTED_EXPONENT, representable


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _refuse(type_name: str, value: object, expected: str) -> StrawberryInputCoercionError:
    return StrawberryInputCoercionError(
        f"Value cannot represent a {type_name}: {_shown(value)}. {expected}"
    )


_DATETIME_HELP = "Expected an ISO 8601 date-time with a time zone, e.g. 2026-11-27T10:00:00Z."


def parse_datetime(value: object) -> dt.datetime:
    if not isinstance(value, str) or len(value) > MAX_SCALAR_TEXT:
        raise _refuse("DateTime", value, _DATETIME_HELP)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _refuse("DateTime", value, _DATETIME_HELP) from None
    if moment.tzinfo is not None:
        try:  # every stored instant is UTC: the conversion must exist
            moment.astimezone(dt.UTC)
        except OverflowError:
            raise _refuse(
                "DateTime", value, "It is outside the years 0001 to 9999 in UTC."
            ) from None
    # A value without a time zone parses; the argument or field using it says it needs one.
    return moment


_DECIMAL_HELP = (
    f'Expected a decimal number as a string, e.g. "129.90", with at most {MAX_DIGITS} '
    "significant digits."
)


def parse_decimal(value: object) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _refuse("Decimal", value, _DECIMAL_HELP)
    text = repr(value) if isinstance(value, float) else str(value)
    if len(text) > MAX_SCALAR_TEXT:
        raise _refuse("Decimal", value, _DECIMAL_HELP)
    try:
        number = decimal.Decimal(text.strip())
    except decimal.DecimalException:
        raise _refuse("Decimal", value, _DECIMAL_HELP) from None
    if not representable(number):
        raise _refuse(
            "Decimal",
            value,
            _DECIMAL_HELP + f" Its magnitude must be between 1E{MIN_ADJUSTED_EXPONENT} and "
            f"1E{MAX_ADJUSTED_EXPONENT + 1}, and NaN or Infinity are not numbers.",
        )
    return number


def _serialize_datetime(value: Any) -> str:
    return str(value.isoformat())


DateTimeDefinition = ScalarDefinition(
    name="DateTime",
    description=(
        "An instant: an RFC 3339 date-time string with a time zone, e.g. "
        '"2026-11-27T10:00:00Z" or "2026-11-27T11:00:00+01:00".'
    ),
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    serialize=_serialize_datetime,
    parse_value=parse_datetime,
    parse_literal=None,
    origin=dt.datetime,
)

DecimalDefinition = ScalarDefinition(
    name="Decimal",
    description=(
        'An exact decimal number, sent and received as a string, e.g. "129.90" '
        f"(at most {MAX_DIGITS} significant digits). Never a binary float."
    ),
    specified_by_url="https://speleotrove.com/decimal/daconvs.html",
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=None,
    origin=decimal.Decimal,
)


class JSONObject(dict[str, Any]):
    """A JSON scalar's object value: one field of the response, however many entries it
    has (graph/limits/settlement.py counts the entries of plain dicts only)."""


class JSONArray(list[Any]):
    """A JSON scalar's array value (see JSONObject)."""


def _serialize_json(value: Any) -> Any:
    if type(value) is dict:
        return JSONObject(value)
    if type(value) is list:
        return JSONArray(value)
    return value


_JSON_URL = (
    "https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf"
)

JSONDefinition = ScalarDefinition(
    name="JSON",
    description=(
        f"The `JSON` scalar type represents JSON values as specified by [ECMA-404]({_JSON_URL})."
    ),
    specified_by_url=_JSON_URL,
    serialize=_serialize_json,
    parse_value=lambda value: value,
    parse_literal=None,
)


def scalar_overrides() -> dict[object, ScalarDefinition]:
    return {
        dt.datetime: DateTimeDefinition,
        decimal.Decimal: DecimalDefinition,
        JSON: JSONDefinition,
    }
