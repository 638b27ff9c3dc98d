"""`graph schema export`: each tenant's schema as SDL (schemas/<tenant>.graphql)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from graph.cli.common import say
from graph.settings import Settings


def _runtime() -> Any:
    from graph.registry.tenants import load_registry
    from graph.tenancy.runtime import Runtime

    settings = Settings()
    return Runtime(settings, load_registry(settings.tenants_dir, settings.stage))


def _tenant(runtime: Any, tenant_id: str) -> Any:
    from graph.registry.tenants import RegistryError

    tenant = runtime.registry.tenants.get(tenant_id)
    if tenant is None:
        known = ", ".join(sorted(runtime.registry.tenants)) or "none"
        raise RegistryError(f"no tenant {tenant_id!r} (registered: {known})")
    return tenant


def cmd_schema_export(args: argparse.Namespace) -> int:
    from graph.extensions.sdl import sdl, sdl_path

    runtime = _runtime()
    tenants = [args.tenant] if args.tenant else sorted(runtime.registry.tenants)
    for tenant_id in tenants:
        graph = runtime.graph_for(_tenant(runtime, tenant_id))
        schema = graph.schema(private=args.variant == "private")
        out = Path(args.out) if args.out and args.tenant else sdl_path(tenant_id)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(sdl(schema))
        say(f"{tenant_id}: wrote {out} ({args.variant} variant)")
    return 0


def add_schema(sub: Any) -> None:
    schema = sub.add_parser("schema", help="a tenant's schema as SDL")
    ssub = schema.add_subparsers(dest="schema_command", required=True)
    export = ssub.add_parser("export", help="write schemas/<tenant>.graphql")
    export.add_argument("--tenant", help="one tenant (default: every tenant)")
    export.add_argument("--out", help="output file (with --tenant)")
    export.add_argument(
        "--variant",
        choices=["private", "public"],
        default="private",
        help="private: what write keys see (default); public: storefront",
    )
    export.set_defaults(func=cmd_schema_export)
