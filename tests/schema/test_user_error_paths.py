"""userErrors.field paths name custom fields as the client sends them (camelCase in
GraphQL), not as the extension file declares them (snake_case)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from graph.extensions.spec import FieldSpec
from graph.resolvers.writes import graphql_path
from tests.conftest import Gateway, open_gateway

CREATE = """
mutation ($input: CreateListingInput!) {
  createListing(input: $input) { listing { id } userErrors { field message code } }
}
"""


@pytest.fixture
async def threads(ddb: Any, settings: Any) -> AsyncIterator[Gateway]:
    async with open_gateway(ddb, settings, ("threads",)) as gw:
        yield gw


async def test_custom_field_paths_use_graphql_names(threads: Gateway) -> None:
    listing = {
        "sellerId": "sel-001",
        "productId": "prd-001",
        "title": "Worn twice",
        "condition": "GOOD",
        "price": {"amount": "49.00", "currency": "EUR"},
        "custom": {
            "sizeLabel": "EXTRA-EXTRA-LARGE",
            "countryOfOrigin": "Portugal",
            "measurements": {"chest": "-1"},
        },
    }
    body = await threads.gql(CREATE, {"input": listing}, tenant="threads", scope="write")
    assert "errors" not in body, body
    errors = body["data"]["createListing"]["userErrors"]
    assert {(tuple(e["field"]), e["code"]) for e in errors} == {
        (("custom", "sizeLabel"), "TOO_LONG"),
        (("custom", "countryOfOrigin"), "INVALID"),
        (("custom", "measurements", "chest"), "OUT_OF_RANGE"),
    }


def test_paths_inside_lists_objects_and_json_values() -> None:
    fields = {
        "care_notes": FieldSpec.model_validate({"type": "list", "items": {"type": "String"}}),
        "size_chart": FieldSpec.model_validate(
            {"type": "object", "fields": {"chest_width": {"type": "Decimal"}}}
        ),
        "raw_data": FieldSpec.model_validate({"type": "JSON"}),
    }
    assert graphql_path(fields, ("custom", "care_notes", "2")) == ("custom", "careNotes", "2")
    assert graphql_path(fields, ("custom", "size_chart", "chest_width")) == (
        "custom",
        "sizeChart",
        "chestWidth",
    )
    # Keys inside a JSON value are the client's own: kept as sent.
    assert graphql_path(fields, ("custom", "raw_data", "variant_id", "0")) == (
        "custom",
        "rawData",
        "variant_id",
        "0",
    )
    assert graphql_path(fields, ("custom", "not_declared")) == ("custom", "not_declared")
