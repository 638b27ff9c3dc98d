"""Declared values are checked when an extension loads; each message names the file,
the path in it and the fix (graph/extensions/declarations.py, spec.py, yaml_files.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.extensions import ExtensionError, load_extension
from graph.extensions.parser import parse_spec
from graph.registry.tenants import Registry
from graph.settings import Settings
from graph.tenancy.runtime import Runtime
from tests.conftest import make_tenant, raw_key

SOURCE = "tenants/extensions/acme.toml"


def refusal(fields: dict[str, Any], entity: str = "listing") -> ExtensionError:
    with pytest.raises(ExtensionError) as caught:
        parse_spec({entity: {"fields": fields}}, SOURCE)
    return caught.value


# (declaration, path the message must name, words it must contain)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "Int default of another type",
        {"size": {"type": "Int", "default": "tall"}},
        "listing.fields.size.default",
        "not a valid Int",
    ),
    (
        "Int default that is a float",
        {"size": {"type": "Int", "default": 9.5}},
        "listing.fields.size.default",
        "not a valid Int",
    ),
    (
        "Boolean default as string",
        {"box": {"type": "Boolean", "default": "yes"}},
        "listing.fields.box.default",
        "true or false",
    ),
    (
        "default above max",
        {"size": {"type": "Decimal", "max": 18, "default": 30}},
        "listing.fields.size.default",
        "at most 18",
    ),
    (
        "default below min",
        {"size": {"type": "Int", "min": 3, "default": 1}},
        "listing.fields.size.default",
        "at least 3",
    ),
    (
        "default too long",
        {"c": {"type": "String", "max_length": 3, "default": "abcd"}},
        "listing.fields.c.default",
        "At most 3",
    ),
    (
        "default against pattern",
        {"c": {"type": "String", "pattern": "^[A-Z]{2}$", "default": "usa"}},
        "listing.fields.c.default",
        "Must match",
    ),
    (
        "DateTime default without zone",
        {"d": {"type": "DateTime", "default": "2024-01-01T00:00:00"}},
        "listing.fields.d.default",
        "time zone",
    ),
    (
        "DateTime default not a date",
        {"d": {"type": "DateTime", "default": "soon"}},
        "listing.fields.d.default",
        "ISO 8601",
    ),
    (
        "enum default not among values",
        {"g": {"type": "enum", "values": ["A", "B"], "default": "C"}},
        "listing.fields.g.default",
        "not among `values`",
    ),
    (
        "enum values repeated",
        {"g": {"type": "enum", "values": ["A", "A"]}},
        "listing.fields.g",
        "more than once",
    ),
    (
        "enum value not a GraphQL name",
        {"g": {"type": "enum", "values": ["new"]}},
        "listing.fields.g.values.0",
        "UPPER_SNAKE_CASE",
    ),
    (
        "min above max",
        {"s": {"type": "Int", "min": 5, "max": 1}},
        "listing.fields.s",
        "greater than `max`",
    ),
    (
        "min_length above max_length",
        {"s": {"type": "String", "min_length": 5, "max_length": 1}},
        "listing.fields.s",
        "greater than `max_length`",
    ),
    (
        "invalid JSON Schema",
        {"j": {"type": "JSON", "json_schema": {"type": 12}}},
        "listing.fields.j.json_schema",
        "not a valid JSON Schema",
    ),
    (
        "default against its JSON Schema",
        {"j": {"type": "JSON", "default": 3, "json_schema": {"type": "string"}}},
        "listing.fields.j.default",
        "not of type 'string'",
    ),
    (
        "names colliding in camelCase",
        {"size_2": {"type": "Int"}, "size2": {"type": "Int"}},
        "listing.fields.size2",
        "both `size2`",
    ),
    ("reserved name", {"id": {"type": "String"}}, "listing.fields.id", "the gateway reserves"),
    ("field name not snake_case", {"Size": {"type": "Int"}}, "listing.fields.Size", "snake_case"),
    (
        "unknown setting",
        {"s": {"type": "Int", "maximum": 3}},
        "listing.fields.s.maximum",
        "not a known setting",
    ),
    (
        "type names colliding",
        {
            "shoe": {"type": "object", "fields": {"a": {"type": "Int"}}},
            "shoe_input": {"type": "enum", "values": ["A"]},
        },
        "listing.fields.shoe_input",
        "ListingShoeInput",
    ),
    (
        "nested default out of range",
        {
            "m": {
                "type": "object",
                "fields": {"c": {"type": "Decimal", "min": 0}},
                "default": {"c": -1},
            }
        },
        "listing.fields.m.default.c",
        "at least 0",
    ),
    (
        "nested field's own default",
        {"m": {"type": "object", "fields": {"c": {"type": "Int", "default": "x"}}}},
        "listing.fields.m.fields.c.default",
        "not a valid Int",
    ),
    (
        "nested names colliding",
        {"m": {"type": "object", "fields": {"a_1": {"type": "Int"}, "a1": {"type": "Int"}}}},
        "listing.fields.m.fields.a1",
        "both `a1`",
    ),
    (
        "list item out of range",
        {"l": {"type": "list", "items": {"type": "Int", "max": 3}, "default": [1, 5]}},
        "listing.fields.l.default.1",
        "at most 3",
    ),
    (
        "list item default",
        {"l": {"type": "list", "items": {"type": "Int", "default": 1}}},
        "listing.fields.l.items.default",
        "on the list itself",
    ),
    (
        "required with a default",
        {"s": {"type": "Int", "required": True, "default": 1}},
        "listing.fields.s",
        "not both",
    ),
]


@pytest.mark.parametrize(
    ("fields", "path", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_message_names_the_file_the_field_and_the_problem(
    fields: dict[str, Any], path: str, words: str
) -> None:
    error = refusal(fields)
    assert f"{SOURCE}: {path}" in str(error)
    assert words in str(error)
    assert error.source == SOURCE
    assert any(p.path == path for p in error.problems)


def test_seller_fields_are_checked_too() -> None:
    error = refusal(
        {"tier": {"type": "enum", "values": ["GOLD"], "default": "SILVER"}}, entity="seller"
    )
    assert "seller.fields.tier.default" in str(error)


def test_valid_defaults_pass() -> None:
    spec = parse_spec(
        {
            "listing": {
                "fields": {
                    "size": {"type": "Decimal", "min": 3, "max": 18, "default": 10.5},
                    "count": {"type": "Int", "default": 0},
                    "ratio": {"type": "Float", "default": 1},
                    "price": {"type": "Decimal", "default": "19.90"},
                    "when": {"type": "DateTime", "default": "2024-05-01T00:00:00Z"},
                    "grade": {"type": "enum", "values": ["A", "B"], "default": "B"},
                    "tags": {"type": "list", "items": {"type": "String"}, "default": ["x"]},
                    "m": {"type": "object", "fields": {"c": {"type": "Int"}}, "default": {"c": 1}},
                    "j": {"type": "JSON", "json_schema": {"type": "object"}, "default": {"a": 1}},
                }
            }
        },
        SOURCE,
    )
    assert len(spec.listing.fields) == 9


def test_decimal_float_default_is_stored_by_its_short_form() -> None:
    from decimal import Decimal

    from graph.extensions.values import default_stored

    spec = parse_spec({"listing": {"fields": {"s": {"type": "Decimal", "default": 10.1}}}}, SOURCE)
    assert default_stored(spec.listing.fields["s"]) == Decimal("10.1")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "extensions").mkdir(parents=True, exist_ok=True)
    path = tmp_path / "extensions" / name
    path.write_text(text)
    return path


def test_yaml_duplicate_keys_are_refused_with_the_path(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "acme.yaml",
        "listing:\n  fields:\n    size:\n      type: Int\n    size:\n      type: String\n",
    )
    with pytest.raises(ExtensionError) as caught:
        load_extension(tmp_path, "acme")
    message = str(caught.value)
    assert f"{path}: listing.fields.size:" in message
    assert "appears twice (lines 3 and 5)" in message


def test_yaml_duplicate_keys_inside_a_field(tmp_path: Path) -> None:
    _write(tmp_path, "acme.yaml", "listing:\n  fields:\n    s: {type: Int, type: String}\n")
    with pytest.raises(ExtensionError, match=r"acme.yaml: listing.fields.s.type: the key"):
        load_extension(tmp_path, "acme")


def test_toml_duplicate_keys_are_refused(tmp_path: Path) -> None:
    _write(tmp_path, "acme.toml", '[listing.fields.s]\ntype = "Int"\ntype = "String"\n')
    with pytest.raises(ExtensionError, match=r"acme.toml: cannot read the extension file"):
        load_extension(tmp_path, "acme")


def test_file_defaults_are_refused_at_load(tmp_path: Path) -> None:
    path = _write(tmp_path, "acme.toml", '[listing.fields.size]\ntype = "Int"\ndefault = "tall"\n')
    with pytest.raises(ExtensionError) as caught:
        load_extension(tmp_path, "acme")
    assert str(caught.value).startswith(f"{path}: listing.fields.size.default:")


def _broken_app(tmp_path: Path, stage: str) -> httpx.AsyncClient:
    folder = tmp_path / "tenants"
    _write(folder, "kicks.toml", '[listing.fields.size]\ntype = "Int"\ndefault = "tall"\n')
    (folder / "registry").mkdir()
    extra = {"cursor_secret": "x" * 40, "playground_default_key": None} if stage == "prod" else {}
    settings = Settings(stage=stage, tenants_dir=folder, metrics=False, **extra)  # type: ignore[arg-type]
    tenant = make_tenant("kicks", "decl")
    runtime = Runtime(settings, Registry([tenant], "test"))
    app = create_app(runtime=runtime, manage_client=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_dev_stage_shows_the_extension_error_in_the_response(tmp_path: Path) -> None:
    async with _broken_app(tmp_path, "dev") as http:
        response = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"X-Api-Key": raw_key("kicks", "read")},
        )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "kicks.toml: listing.fields.size.default" in error["message"]
    assert "not a valid Int" in error["message"]


async def test_prod_stage_masks_the_extension_error(tmp_path: Path) -> None:
    async with _broken_app(tmp_path, "prod") as http:
        response = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"X-Api-Key": raw_key("kicks", "read")},
        )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "kicks.toml" not in response.text
    assert "operators have been alerted" in error["message"]
