"""DynamoDB wire format <-> plain Python (numbers stay Decimal, never float)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

Item = dict[str, Any]


class _Deserializer(TypeDeserializer):  # type: ignore[misc]
    def deserialize(self, value: Any) -> Any:
        # DynamoDB Local's streams write an empty map as `{}` instead of `{"M": {}}`.
        if value == {}:
            return {}
        return super().deserialize(value)


_serializer = TypeSerializer()
_deserializer = _Deserializer()


def to_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def from_wire(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def value_to_wire(value: Any) -> dict[str, Any]:
    return _serializer.serialize(value)  # type: ignore[no-any-return]
