"""The code side of the table checks: physical names from graph.store, and the module's
tables by the logical name of the spec they implement."""

from __future__ import annotations

from typing import Any

from graph.store import CONNECTIONS, connections_table_name, physical_table_names
from tests.infra.hcl import Config


def _physical_names() -> dict[str, str]:
    """Logical -> physical names of every table a tenant account deploys."""
    return {
        **physical_table_names("STAGE", "TENANT"),
        CONNECTIONS.name: connections_table_name("STAGE", "TENANT"),
    }


def _tables_by_logical_name(config: Config) -> dict[str, dict[str, Any]]:
    physical_to_logical = {v: k for k, v in _physical_names().items()}
    tables: dict[str, dict[str, Any]] = {}
    for address, body in config.resources_of("aws_dynamodb_table").items():
        physical = (
            body["name"].replace("${var.stage}", "STAGE").replace("${var.tenant_id}", "TENANT")
        )
        assert physical in physical_to_logical, (
            f"aws_dynamodb_table.{address} is named {body['name']!r}, which is not "
            f"`${{var.stage}}-${{var.tenant_id}}-<table>` for a table in DEPLOYMENT_TABLE_SPECS"
        )
        tables[physical_to_logical[physical]] = body
    return tables
