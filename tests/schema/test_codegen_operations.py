"""examples/codegen's operations are valid against every demo tenant's read-key schema
(the schema docs/embedding.md says to generate with), so codegen with a read key works.
tests/e2e/test_codegen.py runs graphql-codegen and tsc themselves."""

from __future__ import annotations

import graphql
import pytest

from graph.execution.internals import graphql_schema
from graph.registry.tenants import load_registry
from graph.settings import REPO_ROOT, Settings
from graph.tenancy.runtime import Runtime

OPERATIONS = REPO_ROOT / "examples" / "codegen" / "operations"


@pytest.mark.parametrize("tenant_id", ["kicks", "threads"])
def test_example_operations_validate_against_the_read_key_schema(
    settings: Settings, tenant_id: str
) -> None:
    dev = settings.model_copy(update={"stage": "dev"})
    runtime = Runtime(dev, load_registry(dev.tenants_dir, "dev"))
    tenant = runtime.registry.tenants[tenant_id]
    public = graphql_schema(runtime.graph_for(tenant).schema(private=False))
    files = sorted([*OPERATIONS.glob("*.graphql"), *(OPERATIONS / tenant_id).glob("*.graphql")])
    assert len(files) >= 5
    for path in files:
        errors = graphql.validate(public, graphql.parse(path.read_text()))
        assert errors == [], f"{path.relative_to(REPO_ROOT)}: {[e.message for e in errors]}"


def test_a_private_field_is_what_a_read_key_schema_refuses(settings: Settings) -> None:
    """The control: the field the example used to select (markup) is private."""
    dev = settings.model_copy(update={"stage": "dev"})
    runtime = Runtime(dev, load_registry(dev.tenants_dir, "dev"))
    graph = runtime.graph_for(runtime.registry.tenants["kicks"])
    document = graphql.parse(
        '{ productListings(productId: "prd-001", first: 1) '
        "{ edges { node { custom { markup } } } } }"
    )
    assert graphql.validate(graphql_schema(graph.schema(private=True)), document) == []
    (error,) = graphql.validate(graphql_schema(graph.schema(private=False)), document)
    assert "markup" in error.message
