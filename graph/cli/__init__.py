"""The `graph` command: run the dev stack, create tables, load demo data, manage tenants.

One module per command group, each adding its parser with `add_<group>(sub)`:

- dev.py         `graph dev`, `graph seed`
- audit.py       `graph audit run`
- schema.py      `graph schema export`
- extensions.py  `graph extensions check`
- tenants.py     `graph tenants onboard|list|rotate-key|origins|offboard`
- common.py      what they share (stderr messages, a client per command, columns)

`main` assembles them and turns the errors a developer meets first into one line and
exit code 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from graph.cli.audit import add_audit
from graph.cli.common import say
from graph.cli.dev import add_dev, add_seed
from graph.cli.extensions import add_extensions
from graph.cli.schema import add_schema
from graph.cli.tenants import add_tenants
from graph.store import setup_problem

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graph", description="Resale Graph gateway tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (add_dev, add_seed, add_audit, add_schema, add_extensions, add_tenants):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from graph.extensions import ExtensionError
    from graph.registry.tenants import RegistryError

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except (RegistryError, ExtensionError) as exc:
        say(f"error: {exc}")
        return 2
    except Exception as exc:
        problem = setup_problem(exc)
        if problem is None:
            raise
        say(f"error: {problem}")
        return 2
    return result
