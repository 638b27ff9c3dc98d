"""`graph extensions check`: a tenant's extension against its exported schema."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from graph.cli.common import say
from graph.settings import Settings


def cmd_extensions_check(args: argparse.Namespace) -> int:
    """Exit codes: 0 fine, 1 breaking changes, 2 invalid extension, 3 cannot check
    (graph/extensions/report.py, docs/extensions.md)."""
    from graph.cli.checks import check_extension

    against = Path(args.against) if args.against else None
    report = check_extension(Settings(), args.tenant_id, against)
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=2))
    else:
        for line in report.lines():
            say(line)
    return report.exit_code


def add_extensions(sub: Any) -> None:
    extensions = sub.add_parser("extensions", help="custom fields: checks")
    esub = extensions.add_subparsers(dest="extensions_command", required=True)
    check = esub.add_parser("check", help="fail on breaking changes against the export")
    check.add_argument("tenant_id")
    check.add_argument("--against", help="SDL file to compare with (default: the export)")
    check.add_argument(
        "--format", choices=["text", "json"], default="text", help="json: one report for CI"
    )
    check.set_defaults(func=cmd_extensions_check)
