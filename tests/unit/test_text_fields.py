"""Text fields refuse control characters and bidirectional overrides (titles and names
also line breaks), with the character named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.domain import UserErrorCode, text_problem, validate_listing

OVERRIDES = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]


@pytest.mark.parametrize("bad", OVERRIDES + CONTROLS + [chr(c) for c in range(0x80, 0xA0)])
def test_a_title_with_a_control_or_override_character_is_refused(bad: str) -> None:
    errors = validate_listing({"title": f"Air {bad}Jordan"}, creating=False)
    assert [(e.field, e.code) for e in errors] == [(("title",), UserErrorCode.INVALID)]
    assert f"U+{ord(bad):04X}" in errors[0].message


def test_line_breaks_only_where_text_may_span_lines() -> None:
    assert text_problem("two\nlines") is not None
    assert text_problem("two\nlines\tand a tab", multiline=True) is None
    assert text_problem("no\rcarriage return", multiline=True) is not None
    errors = validate_listing({"description": "one\ntwo", "title": "a\nb"}, creating=False)
    assert [e.field for e in errors] == [("title",)]


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=50))
def test_text_without_those_characters_passes(text: str) -> None:
    allowed = "".join(c for c in text if c not in OVERRIDES)
    assert text_problem(allowed) is None
