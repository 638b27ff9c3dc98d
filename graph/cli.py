"""The `graph` command: run the dev stack, create tables, load demo data, manage tenants."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.local.dev import prepare_tenants
from graph.settings import Settings


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _with_client(settings: Settings, work: Callable[[Any], Any]) -> Any:
    from graph.store import open_dynamodb

    async with open_dynamodb(settings) as client:
        return await work(client)


def cmd_seed(args: argparse.Namespace) -> int:
    settings = Settings()
    say(f"Preparing tenants on {settings.dynamodb_endpoint or 'AWS'} ...")
    asyncio.run(_with_client(settings, lambda c: prepare_tenants(c, settings, say, seed="always")))
    return 0


async def run_audit(
    settings: Settings, checkpoint_file: Path, stop: Callable[[], bool] | None = None
) -> None:
    """Feed every tenant's listings and sellers streams to the audit consumer, until
    `stop()` is true (checked between batches) or forever."""
    from graph.audit.consumer import AuditConsumer
    from graph.audit.runner import FileCheckpoints, StreamRunner
    from graph.events.broker import local_broker
    from graph.events.local import publishing
    from graph.store import StreamReader, open_dynamodb, open_streams
    from graph.tenancy import load_registry

    registry = load_registry(settings.tenants_dir, settings.stage)
    consumer = AuditConsumer(settings, registry)
    tables = [t for x in registry.tenants.values() for t in (x.tables.listings, x.tables.sellers)]
    try:
        async with open_dynamodb(settings) as ddb, open_streams(settings) as streams:
            runner = StreamRunner(
                StreamReader(ddb, streams),
                # Listings changes also go to live subscriptions (docs/events.md).
                publishing(consumer.handle, local_broker(), registry),
                tables,
                FileCheckpoints(checkpoint_file),
            )
            await runner.run_forever(stop=stop)
    finally:
        consumer.close()


def cmd_audit_run(args: argparse.Namespace) -> int:
    settings = Settings()
    say(f"Audit runner: streams of every tenant on {settings.dynamodb_endpoint or 'AWS'} ...")
    asyncio.run(run_audit(settings, Path(args.checkpoints)))
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    from graph.local.dev import serve

    return serve(args, say)


def cmd_tenants_onboard(args: argparse.Namespace) -> int:
    from graph.onboarding import onboard

    settings = Settings()
    result = asyncio.run(
        _with_client(
            settings,
            lambda c: onboard(
                c,
                settings,
                args.tenant_id,
                name=args.name or args.tenant_id,
                origins=tuple(args.origin),
                region=args.region,
                role_arn=args.role_arn,
                say=say,
            ),
        )
    )
    if result.new_keys:
        print("\nAPI keys (shown once; store them in your secret manager now):")
        for key_id, raw in result.new_keys.items():
            print(f"  {key_id}: {raw}")
    verdict = "onboarded" if result.changed else "already onboarded; nothing changed"
    say(f"\n{args.tenant_id}: {verdict} in {result.seconds:.2f}s")
    return 0


def cmd_tenants_list(args: argparse.Namespace) -> int:
    from graph.tenancy import load_registry

    settings = Settings()
    registry = load_registry(settings.tenants_dir, settings.stage)
    rows = [("TENANT", "NAME", "REGION", "KEYS", "ORIGINS")]
    for tenant in registry.tenants.values():
        keys = ", ".join(f"{k.id} ({'/'.join(sorted(k.scopes))})" for k in tenant.config.keys)
        rows.append(
            (
                tenant.id,
                tenant.config.name,
                tenant.config.region,
                keys or "-",
                " ".join(tenant.config.origins) or "-",
            )
        )
    print(columns(rows))
    return 0


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows as left-aligned columns, two spaces apart (the last column is not padded)."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def cmd_tenants_rotate(args: argparse.Namespace) -> int:
    from graph.onboarding import rotate_key

    new_id, raw = rotate_key(Settings(), args.tenant_id, args.key_id, keep_old=args.keep_old)
    print(f"New key {new_id} (shown once): {raw}")
    if args.keep_old:
        say(f"{args.key_id} stays valid until you rotate again without --keep-old.")
    else:
        say(f"{args.key_id} is revoked once the gateway reloads the registry (redeploy).")
    return 0


def cmd_tenants_origins(args: argparse.Namespace) -> int:
    from graph.onboarding import registry_path
    from graph.origins import OriginError, add_origin, list_origins, remove_origin
    from graph.tenancy import RegistryError

    settings = Settings()
    path = registry_path(settings, args.tenant_id)
    if not path.exists():
        raise RegistryError(f"no tenant {args.tenant_id!r}: {path} does not exist")
    if args.origins_command == "list":
        for origin in list_origins(path, settings.stage):
            print(origin)
        return 0
    if not args.origin:
        say(f"error: give the origin to {args.origins_command}, e.g. https://shop.example")
        return 2
    try:
        if args.origins_command == "add":
            origin, changed = add_origin(path, settings.stage, args.origin)
            verdict = "now allowed" if changed else "already allowed; nothing changed"
        else:
            origin, verdict = remove_origin(path, settings.stage, args.origin), "removed"
    except OriginError as exc:
        say(f"error: {exc}")
        return 2
    say(f"{args.tenant_id}: {origin} {verdict} ({path}).")
    say(
        "The gateway reads origins from its registry at request time: a `make dev` that "
        "reloads the registry applies this at once; otherwise restart or redeploy."
    )
    return 0


def cmd_tenants_offboard(args: argparse.Namespace) -> int:
    from graph.onboarding import offboard

    if not args.yes:
        try:
            answer = input(f"Type the tenant id to delete {args.tenant_id}'s tables and entry: ")
        except EOFError:
            answer = ""
        if answer.strip() != args.tenant_id:
            say("Not confirmed; nothing changed.")
            return 1
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    settings = Settings()
    console = Console(stderr=True)
    with Progress(
        TextColumn("exporting {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    ) as bar:

        def progress(table: str) -> Callable[[int, int | None], None]:
            task = bar.add_task(table, total=None)

            def update(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=max(total or 0, done) or None)

            return update

        folder = asyncio.run(
            _with_client(
                settings,
                lambda c: offboard(
                    c,
                    settings,
                    args.tenant_id,
                    backup=not args.no_backup,
                    say=bar.console.print,
                    progress=progress,
                ),
            )
        )
    if folder is not None:
        say(f"Backup kept in {folder}")
    return 0


def _runtime() -> Any:
    from graph.runtime import Runtime
    from graph.tenancy import load_registry

    settings = Settings()
    return Runtime(settings, load_registry(settings.tenants_dir, settings.stage))


def _tenant(runtime: Any, tenant_id: str) -> Any:
    from graph.tenancy import RegistryError

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
        schema = runtime.schema_for(_tenant(runtime, tenant_id), private=args.variant == "private")
        out = Path(args.out) if args.out and args.tenant else sdl_path(tenant_id)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(sdl(schema))
        say(f"{tenant_id}: wrote {out} ({args.variant} variant)")
    return 0


def cmd_extensions_check(args: argparse.Namespace) -> int:
    """Exit codes: 0 fine, 1 breaking changes, 2 invalid extension, 3 cannot check
    (graph/extensions/check.py, docs/extensions.md)."""
    from graph.checks import check_extension

    against = Path(args.against) if args.against else None
    report = check_extension(Settings(), args.tenant_id, against)
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=2))
    else:
        for line in report.lines():
            say(line)
    return report.exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graph", description="Resale Graph gateway tools.")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="DynamoDB Local + tables + demo data + the playground")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument(
        "--dynamodb-port",
        type=int,
        default=int(os.environ.get("GRAPH_DEV_DYNAMODB_PORT", "8765")),
        help="DynamoDB Local's port (default 8765, or GRAPH_DEV_DYNAMODB_PORT)",
    )
    dev.add_argument("--demo-port", type=int, default=8001, help="demo storefronts' port (0: none)")
    dev.add_argument(
        "--data-dir",
        default=None,
        help="where DynamoDB Local keeps its data (default .dev/, or GRAPH_DEV_DATA_DIR)",
    )
    dev.add_argument("--reload", action="store_true", help="restart on code/extension edits")
    dev.set_defaults(func=cmd_dev)

    seed = sub.add_parser("seed", help="create tables and load demo data for every tenant")
    seed.set_defaults(func=cmd_seed)

    audit = sub.add_parser("audit", help="the audit trail's stream consumer")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    run = asub.add_parser("run", help="poll the streams and write history (local runner)")
    run.add_argument("--checkpoints", default=".dev/audit-checkpoints.json")
    run.set_defaults(func=cmd_audit_run)

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

    extensions = sub.add_parser("extensions", help="custom fields: checks")
    esub = extensions.add_subparsers(dest="extensions_command", required=True)
    check = esub.add_parser("check", help="fail on breaking changes against the export")
    check.add_argument("tenant_id")
    check.add_argument("--against", help="SDL file to compare with (default: the export)")
    check.add_argument(
        "--format", choices=["text", "json"], default="text", help="json: one report for CI"
    )
    check.set_defaults(func=cmd_extensions_check)

    tenants = sub.add_parser("tenants", help="onboard, list, rotate keys, offboard")
    tsub = tenants.add_subparsers(dest="tenants_command", required=True)
    onboard = tsub.add_parser("onboard", help="tables, keys, registry entry (idempotent)")
    onboard.add_argument("tenant_id")
    onboard.add_argument("--name", help="display name (default: the id)")
    onboard.add_argument("--origin", action="append", default=[], help="allowed CORS origin")
    onboard.add_argument("--region", default=None)
    onboard.add_argument("--role-arn", default=None, help="role to assume in its AWS account")
    onboard.set_defaults(func=cmd_tenants_onboard)
    tsub.add_parser("list", help="registered tenants").set_defaults(func=cmd_tenants_list)
    rotate = tsub.add_parser("rotate-key", help="replace a key with a new one")
    rotate.add_argument("tenant_id")
    rotate.add_argument("key_id")
    rotate.add_argument("--keep-old", action="store_true", help="keep the old key valid too")
    rotate.set_defaults(func=cmd_tenants_rotate)
    origins = tsub.add_parser("origins", help="a tenant's allowed CORS origins")
    osub = origins.add_subparsers(dest="origins_command", required=True)
    for verb, text in (
        ("add", "allow an origin (scheme://host[:port])"),
        ("remove", "stop allowing an origin"),
        ("list", "the allowed origins, one per line"),
    ):
        command = osub.add_parser(verb, help=text)
        command.add_argument("tenant_id")
        if verb != "list":
            command.add_argument("origin", nargs="?", default=None)
        command.set_defaults(func=cmd_tenants_origins, origin=None)
    offboard = tsub.add_parser("offboard", help="back up, then delete tables and entry")
    offboard.add_argument("tenant_id")
    offboard.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    offboard.add_argument("--no-backup", action="store_true", help="skip the table export")
    offboard.set_defaults(func=cmd_tenants_offboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from graph.extensions import ExtensionError
    from graph.tenancy import RegistryError

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except (RegistryError, ExtensionError) as exc:
        say(f"error: {exc}")
        return 2
    except Exception as exc:
        problem = what_is_missing(exc)
        if problem is None:
            raise
        say(f"error: {problem}")
        return 2
    return result


def what_is_missing(exc: BaseException) -> str | None:
    """One line for the AWS set-up problems a developer meets first, or None."""
    from botocore.exceptions import (
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    endpoint = os.environ.get("GRAPH_DYNAMODB_ENDPOINT")
    if isinstance(exc, EndpointConnectionError):
        return (
            f"cannot reach DynamoDB at {exc.kwargs.get('endpoint_url', endpoint)}. Is `make dev` "
            "running? It prints the `export GRAPH_DYNAMODB_ENDPOINT=...` line to use; unset "
            "GRAPH_DYNAMODB_ENDPOINT to use AWS."
        )
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials and no GRAPH_DYNAMODB_ENDPOINT. For the local stack run "
            "`make dev` and `export GRAPH_DYNAMODB_ENDPOINT=http://127.0.0.1:8765`; for AWS "
            "set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and GRAPH_REGION."
        )
    if isinstance(exc, NoRegionError):
        return "no AWS region: set GRAPH_REGION (or AWS_REGION), e.g. us-east-1."
    return None


if __name__ == "__main__":
    raise SystemExit(main())
