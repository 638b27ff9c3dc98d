"""`graph dev` (DynamoDB Local, tables, demo data, audit runner, the playground) and
`graph seed` (tables and demo data on the configured endpoint)."""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from graph.cli.common import say, with_client
from graph.local.tenants import prepare_tenants
from graph.settings import Settings


def cmd_dev(args: argparse.Namespace) -> int:
    from graph.local.dev import serve

    return serve(args, say)


def cmd_seed(args: argparse.Namespace) -> int:
    settings = Settings()
    say(f"Preparing tenants on {settings.dynamodb_endpoint or 'AWS'} ...")
    asyncio.run(with_client(settings, lambda c: prepare_tenants(c, settings, say, seed="always")))
    return 0


def add_dev(sub: Any) -> None:
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


def add_seed(sub: Any) -> None:
    seed = sub.add_parser("seed", help="create tables and load demo data for every tenant")
    seed.set_defaults(func=cmd_seed)
