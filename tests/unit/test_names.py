"""Declared names become GraphQL names the way Strawberry names fields, without the
extension code importing Strawberry (graph/extensions/spec.py `camel`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from strawberry.utils.str_converters import to_camel_case

from graph.extensions.spec import camel

NAMES = st.text(alphabet="abcxyzABC019_", min_size=1, max_size=24)


@given(NAMES)
def test_camel_is_strawberrys_to_camel_case(name: str) -> None:
    assert camel(name) == to_camel_case(name)


def test_camel_examples() -> None:
    assert camel("shoe_size") == "shoeSize"
    assert camel("size") == "size"
    assert camel("a__b") == "a_B"
