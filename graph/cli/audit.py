"""`graph audit run`: the local runner of the audit trail's stream consumer."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from graph.cli.common import say
from graph.local.audit import run_audit
from graph.settings import Settings


def cmd_audit_run(args: argparse.Namespace) -> int:
    settings = Settings()
    say(f"Audit runner: streams of every tenant on {settings.dynamodb_endpoint or 'AWS'} ...")
    asyncio.run(run_audit(settings, Path(args.checkpoints)))
    return 0


def add_audit(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit trail's stream consumer")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    run = asub.add_parser("run", help="poll the streams and write history (local runner)")
    run.add_argument("--checkpoints", default=".dev/audit-checkpoints.json")
    run.set_defaults(func=cmd_audit_run)
