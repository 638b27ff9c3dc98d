"""The code side of the table checks: physical names and table specs from graph.store,
each example tenant's indexed fields from its extension declaration, and the module's
tables by the logical name of the spec they implement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.extensions import indexed_fields
from graph.extensions.parser import load_spec
from graph.store import (
    CONNECTIONS,
    IndexedField,
    TableSpec,
    connections_table_name,
    physical_table_names,
    tenant_table_specs,
)
from tests.infra.hcl import REPO_ROOT, TF_ROOT, Config

#: The repository's tenants folder (graph.settings' default `tenants_dir`).
TENANTS_DIR = REPO_ROOT / "tenants"


def _physical_names() -> dict[str, str]:
    """Logical -> physical names of every table a tenant account deploys."""
    return {
        **physical_table_names("STAGE", "TENANT"),
        CONNECTIONS.name: connections_table_name("STAGE", "TENANT"),
    }


def deployment_specs(indexed: Sequence[IndexedField] = ()) -> tuple[TableSpec, ...]:
    """Every table a tenant account deploys, for a tenant whose extension indexes
    `indexed`: `tenant_table_specs(indexed)` and the connections table."""
    return (*tenant_table_specs(indexed), CONNECTIONS)


def declared_indexed_fields(tenant: str) -> tuple[IndexedField, ...]:
    """The tenant's indexed listing fields, read from tenants/extensions/<tenant>.* as
    the dev stack reads them (graph/local/dev.py, `prepare_tenants`)."""
    return IndexedField.of(indexed_fields(load_spec(TENANTS_DIR, tenant)))


def example_indexed_listing_fields(tenant: str) -> list[str]:
    """`indexed_listing_fields` as examples/<tenant> passes it to the module: a literal
    list, so that the test can compare it with the tenant's extension."""
    (call,) = Config(TF_ROOT / "examples" / tenant).modules.values()
    assert "indexed_listing_fields" in call, (
        f"examples/{tenant} does not set indexed_listing_fields (the listing fields "
        f"tenants/extensions/{tenant}.* declares indexed)"
    )
    value = call["indexed_listing_fields"]
    literal = isinstance(value, list) and all(isinstance(v, str) for v in value)
    assert literal, (
        f"examples/{tenant}: indexed_listing_fields must be a literal list of field names, "
        f"not {value!r}"
    )
    return list(value)


def _tables_by_logical_name(config: Config) -> dict[str, dict[str, Any]]:
    physical_to_logical = {v: k for k, v in _physical_names().items()}
    tables: dict[str, dict[str, Any]] = {}
    for address, body in config.resources_of("aws_dynamodb_table").items():
        physical = (
            body["name"].replace("${var.stage}", "STAGE").replace("${var.tenant_id}", "TENANT")
        )
        assert physical in physical_to_logical, (
            f"aws_dynamodb_table.{address} is named {body['name']!r}, which is not "
            f"`${{var.stage}}-${{var.tenant_id}}-<table>` for a table a tenant account deploys"
        )
        tables[physical_to_logical[physical]] = body
    return tables
