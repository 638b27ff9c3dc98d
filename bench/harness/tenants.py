"""Tenants built in memory (no registry file): one place that knows how to make one.

Used where a benchmark needs a `graph.registry.tenants.Tenant` without the temp registry: the
in-process executions (field cost, custom fields) and the audit consumer's tenants.
"""

from __future__ import annotations

from typing import Any

#: The stage of every bench registry, table name and tenant.
STAGE = "test"

#: Settings of a process that never reaches DynamoDB (in-memory stores).
OFFLINE_ENDPOINT = "http://127.0.0.1:9"


def bench_tenant(tenant_id: str, *scopes: str, name: str = "") -> Any:
    """A `Tenant` with one key per scope (`<id>-<scope>`, unusable hashes) and the
    stage's physical table names."""
    from bench.harness.graph_store import TableNames, physical_table_names
    from graph.registry.tenants import ApiKeyConfig, Tenant, TenantConfig

    keys = tuple(
        ApiKeyConfig(id=f"{tenant_id}-{scope}", sha256=str(n) * 64, scopes=frozenset({scope}))
        for n, scope in enumerate(scopes or ("read",))
    )
    config = TenantConfig(id=tenant_id, name=name or f"bench {tenant_id}", keys=keys)
    return Tenant(config, TableNames.from_mapping(physical_table_names(STAGE, tenant_id)))


def offline_settings() -> Any:
    """`Settings` for in-process work over in-memory data (no DynamoDB is reached)."""
    from graph.settings import Settings

    return Settings(stage=STAGE, dynamodb_endpoint=OFFLINE_ENDPOINT)
