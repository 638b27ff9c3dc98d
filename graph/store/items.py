"""DynamoDB wire format <-> plain Python (numbers stay Decimal, never float).

boto3's TypeSerializer and TypeDeserializer look their method up by name for every
attribute value, which made them the costliest step of reading a page (after
botocore's parsing) and of building an audit entry. The encoder and decoder below give
the same values for the common types and hand every other value to boto3's serializer
(tests/unit/test_wire.py checks both against boto3 on generated items), with boto3's
decimal context and its Binary type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT, Binary, TypeSerializer

Item = dict[str, Any]

_decimal = DYNAMODB_CONTEXT.create_decimal


def _value(value: Mapping[str, Any]) -> Any:
    if len(value) != 1:
        if not value:  # DynamoDB Local's streams write an empty map as `{}`, not `{"M": {}}`
            return {}
        raise TypeError(f"a DynamoDB attribute value has one type; got {sorted(value)}")
    ((kind, raw),) = value.items()
    if kind == "S":
        return raw
    if kind == "N":
        return _decimal(raw)
    if kind == "M":
        return {name: _value(v) for name, v in raw.items()}
    decode = _DECODERS.get(kind)
    if decode is None:
        raise TypeError(f"DynamoDB type {kind!r} is not supported")
    return decode(raw)


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "L": lambda raw: [_value(v) for v in raw],
    "BOOL": lambda raw: raw,
    "NULL": lambda raw: None,
    "SS": set,
    "NS": lambda raw: {_decimal(n) for n in raw},
    "B": Binary,
    "BS": lambda raw: {Binary(b) for b in raw},
}

_serializer = TypeSerializer()


def _wire(value: Any) -> dict[str, Any]:
    """boto3's TypeSerializer for the common exact types (str, dict, Decimal, int, list,
    None, bool); anything else, and any number it would refuse, goes to boto3 itself."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is dict:
        return {"M": {name: _wire(v) for name, v in value.items()}}
    if kind is Decimal or kind is int:
        number = str(_decimal(value))
        if number not in ("Infinity", "-Infinity", "NaN", "sNaN"):
            return {"N": number}
    elif kind is list:
        return {"L": [_wire(v) for v in value]}
    elif value is None:
        return {"NULL": True}
    elif kind is bool:
        return {"BOOL": value}
    return _serializer.serialize(value)  # type: ignore[no-any-return]


def to_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _wire(value) for name, value in item.items()}


def from_wire(item: Mapping[str, Any]) -> Item:
    return {name: _value(value) for name, value in item.items()}


def value_to_wire(value: Any) -> dict[str, Any]:
    return _wire(value)
