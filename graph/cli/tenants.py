"""`graph tenants`: onboard, list, rotate-key, origins, offboard."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from graph.cli.common import columns, export_progress, say, with_client, with_clients
from graph.settings import Settings


def cmd_tenants_onboard(args: argparse.Namespace) -> int:
    from graph.registry.onboarding import onboard

    settings = Settings()
    result = asyncio.run(
        with_clients(
            settings,
            lambda c, s3: onboard(
                c,
                settings,
                args.tenant_id,
                name=args.name or args.tenant_id,
                origins=tuple(args.origin),
                region=args.region,
                role_arn=args.role_arn,
                say=say,
                s3=s3,
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
    from graph.registry.tenants import load_registry

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


def cmd_tenants_rotate(args: argparse.Namespace) -> int:
    from graph.registry.onboarding import rotate_key

    new_id, raw = rotate_key(Settings(), args.tenant_id, args.key_id, keep_old=args.keep_old)
    print(f"New key {new_id} (shown once): {raw}")
    if args.keep_old:
        say(f"{args.key_id} stays valid until you rotate again without --keep-old.")
    else:
        say(f"{args.key_id} is revoked once the gateway reloads the registry (redeploy).")
    return 0


def cmd_tenants_origins(args: argparse.Namespace) -> int:
    from graph.registry.onboarding import registry_path
    from graph.registry.origins import OriginError, add_origin, list_origins, remove_origin
    from graph.registry.tenants import RegistryError

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
    from graph.registry.onboarding import offboard

    if not args.yes:
        try:
            answer = input(f"Type the tenant id to delete {args.tenant_id}'s tables and entry: ")
        except EOFError:
            answer = ""
        if answer.strip() != args.tenant_id:
            say("Not confirmed; nothing changed.")
            return 1
    settings = Settings()
    with export_progress() as (report, progress):
        folder = asyncio.run(
            with_client(
                settings,
                lambda c: offboard(
                    c,
                    settings,
                    args.tenant_id,
                    backup=not args.no_backup,
                    say=report,
                    progress=progress,
                ),
            )
        )
    if folder is not None:
        say(f"Backup kept in {folder}")
    return 0


def add_tenants(sub: Any) -> None:
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
