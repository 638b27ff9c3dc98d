"""The store's wire encoder and decoder give exactly what boto3's TypeSerializer and
TypeDeserializer give.

Values are generated (hypothesis) as Python values: written by both encoders (the same
wire format, or the same error), and read back by both decoders.
"""

from __future__ import annotations

from decimal import Decimal, Inexact
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.store import from_wire, to_wire

numbers = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**20), max_value=10**20
)
scalars = st.one_of(
    st.text(max_size=20),
    numbers,
    st.booleans(),
    st.none(),
    st.binary(min_size=1, max_size=8),
)
sets = st.one_of(
    st.sets(st.text(max_size=8), min_size=1, max_size=4),
    st.sets(numbers, min_size=1, max_size=4),
    st.sets(st.binary(min_size=1, max_size=4), min_size=1, max_size=4),
)
values = st.recursive(
    st.one_of(scalars, sets),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
items = st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=8)

_serialize = TypeSerializer().serialize
_boto3 = TypeDeserializer().deserialize


@settings(max_examples=300, deadline=None)
@given(items)
def test_decodes_as_boto3_does(item: dict[str, Any]) -> None:
    wire = {name: _serialize(value) for name, value in item.items()}
    ours = from_wire(wire)
    theirs = {name: _boto3(value) for name, value in wire.items()}
    assert ours == theirs
    assert _types(ours) == _types(theirs)  # Decimal stays Decimal, bytes stay Binary


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    if isinstance(value, set):
        return sorted(type(v).__name__ for v in value)
    return type(value).__name__


def test_numbers_keep_dynamodb_precision_and_refuse_what_it_refuses() -> None:
    wire = {"n": {"N": "1234567890.1234567890123456789012345678"}}
    assert from_wire(wire) == {"n": Decimal("1234567890.1234567890123456789012345678")}
    with pytest.raises(Inexact):  # more digits than DynamoDB keeps, as boto3 refuses them
        from_wire({"n": {"N": "1" * 40}})
    with pytest.raises(Inexact):
        _boto3({"N": "1" * 40})


def test_streams_empty_map_and_bad_values() -> None:
    # DynamoDB Local's streams write an empty map as `{}`
    assert from_wire({"custom": {}, "m": {"M": {"x": {}}}}) == {"custom": {}, "m": {"x": {}}}
    assert from_wire({"b": {"B": b"\x01"}}) == {"b": Binary(b"\x01")}
    with pytest.raises(TypeError, match="one type"):
        from_wire({"x": {"S": "a", "N": "1"}})
    with pytest.raises(TypeError, match="not supported"):
        from_wire({"x": {"Q": "a"}})


anything = st.recursive(
    st.one_of(
        scalars,
        sets,
        st.floats(allow_nan=True),
        st.integers(min_value=-(10**45), max_value=10**45),
        st.decimals(),  # NaN, infinities, too many digits: boto3 refuses them
        st.frozensets(st.integers(), max_size=3),
        st.just(set()),
        st.text(max_size=3).map(lambda t: Binary(t.encode() or b"x")),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
    ),
    max_leaves=10,
)


def _outcome(encode: Any, value: Any) -> Any:
    try:
        return encode(value)
    except Exception as error:  # compared by type and message
        return (type(error).__name__, str(error))


@settings(max_examples=500, deadline=None)
@given(anything)
def test_encodes_as_boto3_does_or_refuses_as_it_does(value: Any) -> None:
    ours = _outcome(lambda v: to_wire({"v": v})["v"], value)
    assert ours == _outcome(_serialize, value)
