"""Property: wrong declarations are refused when the extension loads, each with an
error naming the file and the field, and none reaches a request.

Hypothesis writes whole extension files (TOML or YAML) holding valid fields and one
wrong declaration: a default of the wrong type or out of range, an enum default not
among the values, two names that collide in GraphQL, a YAML key given twice.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.app import create_app
from graph.extensions import ExtensionError, load_extension
from graph.extensions.spec import RESERVED
from graph.registry.tenants import Registry
from graph.settings import Settings
from graph.tenancy.runtime import Runtime
from tests.conftest import make_tenant, raw_key

names = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True).filter(lambda n: n not in RESERVED)
enum_values = st.lists(
    st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=5, unique=True
)
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
valid_fields = st.dictionaries(
    names.map(lambda n: f"ok_{n}"),
    st.sampled_from(
        [
            {"type": "String", "max_length": 10},
            {"type": "Int", "min": 0, "default": 1},
            {"type": "enum", "values": ["A", "B"], "default": "A"},
        ]
    ),
    max_size=3,
)


@dataclass(frozen=True)
class Wrong:
    """One wrong declaration: the fields it adds and the path the error must name."""

    fields: dict[str, Any]
    path: str
    #: Where the error may name it instead (either of two colliding names).
    also: str = ""

    def named_in(self, message: str, file: Path | str) -> bool:
        return any(f"{file}: {p}:" in message for p in (self.path, self.also) if p)


def _wrong_type(name: str) -> st.SearchStrategy[Wrong]:
    cases: list[tuple[str, st.SearchStrategy[Any]]] = [
        ("Int", text | st.booleans() | st.floats(allow_nan=False).filter(lambda f: f % 1 != 0)),
        ("Float", text | st.booleans()),
        ("Decimal", text.filter(lambda t: not _numeric(t)) | st.booleans()),
        ("Boolean", text | st.integers()),
        ("String", st.integers() | st.booleans() | st.lists(st.integers(), max_size=2)),
        ("DateTime", st.integers() | text.filter(lambda t: not _is_date(t))),
    ]
    return st.sampled_from(cases).flatmap(
        lambda case: case[1].map(
            lambda default: Wrong(
                {name: {"type": case[0], "default": default}}, f"listing.fields.{name}.default"
            )
        )
    )


def _numeric(value: str) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        Decimal(value)
    except InvalidOperation:
        return False
    return True


def _is_date(value: str) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _out_of_range(name: str) -> st.SearchStrategy[Wrong]:
    def build(kind: str, low: int, high: int, above: bool, by: int) -> Wrong:
        default = high + by if above else low - by
        return Wrong(
            {name: {"type": kind, "min": low, "max": high, "default": default}},
            f"listing.fields.{name}.default",
        )

    return st.builds(
        build,
        st.sampled_from(["Int", "Float", "Decimal"]),
        st.integers(-1000, 0),
        st.integers(1, 1000),
        st.booleans(),
        st.integers(1, 10**6),
    )


def _too_long(name: str) -> st.SearchStrategy[Wrong]:
    return st.integers(1, 8).flatmap(
        lambda limit: st.text(min_size=limit + 1, max_size=limit + 5).map(
            lambda default: Wrong(
                {name: {"type": "String", "max_length": limit, "default": default}},
                f"listing.fields.{name}.default",
            )
        )
    )


def _enum_default(name: str) -> st.SearchStrategy[Wrong]:
    return enum_values.flatmap(
        lambda values: (
            st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True)
            .filter(lambda v: v not in values)
            .map(
                lambda default: Wrong(
                    {name: {"type": "enum", "values": values, "default": default}},
                    f"listing.fields.{name}.default",
                )
            )
        )
    )


def _colliding(name: str) -> st.SearchStrategy[Wrong]:
    # `<name>_2` and `<name>2` are both `<name>2` in GraphQL.
    return st.just(
        Wrong(
            {f"{name}_2": {"type": "Int"}, f"{name}2": {"type": "String"}},
            f"listing.fields.{name}2",
            also=f"listing.fields.{name}_2",
        )
    )


wrongs = names.flatmap(
    lambda name: st.one_of(
        _wrong_type(name),
        _out_of_range(name),
        _too_long(name),
        _enum_default(name),
        _colliding(name),
    )
)


def _write(folder: Path, fields: dict[str, Any], as_yaml: bool) -> Path:
    (folder / "extensions").mkdir(parents=True, exist_ok=True)
    document = {"listing": {"fields": fields}}
    if as_yaml:
        path = folder / "extensions" / "acme.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True))
    else:
        path = folder / "extensions" / "acme.toml"
        path.write_text(tomli_w.dumps(document))
    return path


@settings(max_examples=150, deadline=None)
@given(valid=valid_fields, wrong=wrongs, as_yaml=st.booleans())
def test_wrong_declarations_are_refused_at_load_naming_file_and_field(
    valid: dict[str, Any], wrong: Wrong, as_yaml: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), {**valid, **wrong.fields}, as_yaml)
        with pytest.raises(ExtensionError) as caught:
            load_extension(Path(tmp), "acme")
        assert wrong.named_in(str(caught.value), path), str(caught.value)


@settings(max_examples=60, deadline=None)
@given(
    valid=valid_fields,
    name=names,
    first=st.sampled_from(["String", "Int", "Boolean"]),
    second=st.sampled_from(["String", "Int", "Boolean"]),
)
def test_duplicate_yaml_keys_are_refused_naming_file_and_field(
    valid: dict[str, Any], name: str, first: str, second: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), valid, as_yaml=True)
        # A second declaration of the same name, appended as text (a dict cannot hold it).
        lines = path.read_text().rstrip("\n").split("\n")
        if lines[-1].strip() == "fields: {}":
            lines[-1] = "  fields:"
        extra = [f"    {name}:", f"      type: {first}", f"    {name}:", f"      type: {second}"]
        path.write_text("\n".join([*lines, *extra]) + "\n")
        with pytest.raises(ExtensionError) as caught:
            load_extension(Path(tmp), "acme")
        expected = f"{path}: listing.fields.{name}: the key `{name}` appears twice"
        assert expected in str(caught.value)


async def _ask(folder: Path) -> httpx.Response:
    settings = Settings(stage="dev", tenants_dir=folder, metrics=False)
    runtime = Runtime(settings, Registry([make_tenant("kicks", "refusal")], "test"))
    app = create_app(runtime=runtime, manage_client=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.post(
            "/graphql",
            json={"query": "mutation { createListing(input: {}) { listing { id } } }"},
            headers={"X-Api-Key": raw_key("kicks", "write")},
        )


@settings(max_examples=25, deadline=None)
@given(wrong=wrongs)
def test_no_wrong_declaration_reaches_a_request(wrong: Wrong) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "extensions").mkdir()
        (folder / "extensions" / "kicks.toml").write_text(
            tomli_w.dumps({"listing": {"fields": wrong.fields}})
        )
        response = asyncio.run(_ask(folder))
    body = response.json()
    assert body["data"] is None  # refused before execution: no resolver, no store call
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert wrong.named_in(body["errors"][0]["message"], "kicks.toml")
