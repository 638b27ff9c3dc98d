"""DynamoDB wire format <-> plain Python (numbers stay Decimal, never float).

Writing uses boto3's TypeSerializer. Reading decodes the wire format itself: boto3's
TypeDeserializer looks its method up by name for every attribute value, which made it
the costliest step of reading a page after botocore's parsing; the decoder below gives
the same values (tests/unit/test_wire.py checks it against boto3's on generated items),
including boto3's decimal context and its Binary type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def to_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def from_wire(item: Mapping[str, Any]) -> Item:
    return {name: _value(value) for name, value in item.items()}


def value_to_wire(value: Any) -> dict[str, Any]:
    return _serializer.serialize(value)  # type: ignore[no-any-return]
