"""The work of `graph extensions check <tenant>`: load the extension (its problems, if
any), compare its schema with the exported SDL (breaking changes in the file's terms,
graph/extensions/check.py) and, when a DynamoDB endpoint is configured, sample the
tenant's listings for filterable fields that few of them carry."""

from __future__ import annotations

import asyncio
from pathlib import Path

from graph.extensions import ExtensionError
from graph.extensions.check import ENTITIES, FIXES, explain, summarise
from graph.extensions.report import (
    BREAKING,
    CANNOT_CHECK,
    INVALID,
    Finding,
    Report,
    index_costs,
    problems_of,
    sparse_filter_warnings,
)
from graph.extensions.sdl import breaking_changes, sdl_path
from graph.extensions.spec import ExtensionSpec, pascal
from graph.registry.tenants import Tenant, load_registry
from graph.settings import Settings
from graph.tenancy.runtime import Runtime

#: Listings read (at most) to judge how many carry each filterable field.
SAMPLE_SIZE = 500


def check_extension(settings: Settings, tenant_id: str, against: Path | None = None) -> Report:
    registry = load_registry(settings.tenants_dir, settings.stage)
    baseline = against or sdl_path(tenant_id)
    report = Report(tenant_id, str(baseline))
    tenant = registry.tenants.get(tenant_id)
    if tenant is None:
        known = ", ".join(sorted(registry.tenants)) or "none"
        report.exit_code = CANNOT_CHECK
        report.error = f"no tenant {tenant_id!r} in the registry (registered: {known})"
        return report
    runtime = Runtime(settings, registry)
    try:
        graph = runtime.graph_for(tenant)
        extension, schema = graph.extension, graph.schema(private=True)
    except ExtensionError as exc:
        report.exit_code = INVALID
        report.problems = problems_of(exc.source, exc.problems, str(exc))
        return report
    report.indexes = index_costs(extension.spec)
    if not baseline.exists():
        report.exit_code = CANNOT_CHECK
        report.error = (
            f"no exported schema at {baseline}: run `graph schema export --tenant {tenant_id}` "
            "and commit it, then check changes against it"
        )
        return report
    for change in breaking_changes(baseline.read_text(), schema):
        report.breaking.append(
            explain(
                change.kind,
                change.description,
                tenant=tenant_id,
                prefix=pascal(tenant_id),
                spec=extension.spec,
            )
        )
    report.breaking += _lost_filters(baseline.read_text(), tenant_id, extension.spec)
    report.breaking = summarise(report.breaking)
    if report.breaking:
        report.exit_code = BREAKING
    if settings.dynamodb_endpoint and any(
        f.filterable for f in extension.spec.listing.fields.values()
    ):
        report.warnings = _sample_warnings(settings, tenant, extension.spec)
    return report


def _sample_warnings(
    settings: Settings, tenant: Tenant, spec: ExtensionSpec
) -> list[dict[str, str]]:
    from graph.store import SampleUnavailable, custom_presence, open_dynamodb

    names = [n for n, f in spec.listing.fields.items() if f.filterable]

    async def sample() -> list[dict[str, str]]:
        async with open_dynamodb(settings, region=tenant.config.region) as client:
            presence = await custom_presence(
                client, tenant.tables.listings, "listingId", names, limit=SAMPLE_SIZE
            )
        return sparse_filter_warnings(spec, presence.sampled, presence.carrying)

    try:
        return asyncio.run(sample())
    except SampleUnavailable as exc:
        return [{"field": "listing.fields", "message": f"not sampled: {exc}"}]


def _lost_filters(old_sdl: str, tenant_id: str, spec: ExtensionSpec) -> list[Finding]:
    """Fields filterable in the export but not now, when no filterable field is left
    (then GraphQL reports only the `where` argument and its types as removed)."""
    from graphql import GraphQLInputObjectType, build_schema
    from strawberry.utils.str_converters import to_camel_case

    old = build_schema(old_sdl)
    out = []
    for graphql_entity, entity in ENTITIES.items():
        fields = getattr(spec, entity).fields
        if any(f.filterable for f in fields.values()):
            continue  # the Where type is still there: GraphQL names each lost filter
        where = old.type_map.get(f"{pascal(tenant_id)}{graphql_entity}Where")
        if not isinstance(where, GraphQLInputObjectType):
            continue
        camel = {to_camel_case(n): n for n in fields}
        for graphql_name in where.fields:
            if graphql_name in camel:
                out.append(
                    Finding(
                        f"{entity}.fields.{camel[graphql_name]}.filterable",
                        "no longer filterable",
                        FIXES["no longer filterable"],
                        f"Input field {where.name}.{graphql_name} was removed.",
                        "FIELD_REMOVED",
                    )
                )
    return out
