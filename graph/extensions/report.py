"""The report of `graph extensions check`: exit codes, findings, problems and warnings,
as text lines or one JSON document for CI.

Exit codes (also in docs/extensions.md):

    0  no breaking changes (warnings may be printed)
    1  breaking changes against the exported schema
    2  the extension file or module is invalid (nothing else was checked)
    3  the check could not run: unknown tenant, or no exported schema to compare with
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.extensions.spec import ExtensionSpec, Problem

OK, BREAKING, INVALID, CANNOT_CHECK = 0, 1, 2, 3


@dataclass(frozen=True)
class Finding:
    """One breaking change: the field as the file names it, the kind, the fix."""

    field: str
    kind: str
    fix: str
    graphql: str
    code: str

    def __str__(self) -> str:
        return f"{self.field}: {self.kind}. Safe way: {self.fix}. ({self.graphql})"


@dataclass
class Report:
    tenant: str
    baseline: str
    exit_code: int = OK
    problems: list[dict[str, str]] = field(default_factory=list)
    breaking: list[Finding] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    #: What each `indexed` field costs (graph/extensions/report.py `index_costs`).
    indexes: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "baseline": self.baseline,
            "exitCode": self.exit_code,
            "ok": self.exit_code == OK,
            "error": self.error,
            "problems": self.problems,
            "breaking": [asdict(f) for f in self.breaking],
            "warnings": self.warnings,
            "indexes": self.indexes,
        }

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.error:
            out.append(f"{self.tenant}: {self.error}")
        for problem in self.problems:
            parts = (problem["file"], problem["path"], problem["message"])
            out.append(": ".join(part for part in parts if part))
        if self.exit_code == BREAKING:
            out.append(
                f"{self.tenant}: {len(self.breaking)} breaking change(s) against {self.baseline}:"
            )
            out += [f"  - {finding}" for finding in self.breaking]
        elif self.exit_code == OK:
            out.append(f"{self.tenant}: no breaking changes against {self.baseline}")
        for warning in self.warnings:
            out.append(f"warning: {warning['field']}: {warning['message']}")
        for index in self.indexes:
            out.append(f"index: {index['field']}: {index['message']}")
        return out


def problems_of(
    source: str | None, problems: tuple[Problem, ...], message: str
) -> list[dict[str, str]]:
    if not problems:
        return [{"file": source or "", "path": "", "message": message}]
    return [{"file": source or "", "path": p.path, "message": p.message} for p in problems]


def sparse_filter_warnings(
    spec: ExtensionSpec, sampled: int, carrying: Mapping[str, int], *, threshold: float = 0.5
) -> list[dict[str, str]]:
    """Filterable listing fields that fewer than `threshold` of sampled listings carry."""
    warnings: list[dict[str, str]] = []
    if sampled == 0:
        return warnings
    for name, declared in spec.listing.fields.items():
        if not declared.filterable:
            continue
        count = carrying.get(name, 0)
        if count / sampled < threshold:
            warnings.append(
                {
                    "field": f"listing.fields.{name}",
                    "message": (
                        f"filterable, but only {count} of {sampled} sampled listings carry "
                        "it: a filter on it reads every listing of the product or seller "
                        "and drops most of them, so filtered pages are slow and costly. "
                        "Backfill it on existing listings, or drop `filterable`"
                    ),
                    "sampled": str(sampled),
                    "carrying": str(count),
                }
            )
    return warnings


def index_costs(spec: ExtensionSpec) -> list[dict[str, str]]:
    """What each `indexed` listing field costs: its two indexes, the index writes each
    listing write makes, and how many of DynamoDB's 20 indexes the table then uses."""
    from graph.bounds import (
        INDEXES_PER_FIELD,
        LISTINGS_OWN_INDEXES,
        MAX_GSIS,
        MAX_INDEXED_FIELDS,
    )

    indexed = [name for name, declared in spec.listing.fields.items() if declared.indexed]
    used = LISTINGS_OWN_INDEXES + INDEXES_PER_FIELD * len(indexed)
    out = []
    for name in indexed:
        optional = not spec.listing.fields[name].required
        out.append(
            {
                "field": f"listing.fields.{name}",
                "message": (
                    f"indexed: {INDEXES_PER_FIELD} more global secondary indexes "
                    f"(shop_{name}_newest, shop_{name}_price). They project whole items, so "
                    f"each write of a listing that is in them makes {INDEXES_PER_FIELD} more "
                    f"index writes ({2 * INDEXES_PER_FIELD} when it changes the listing's "
                    f"status, price or `{name}`), paid in write capacity and storage"
                    + (
                        "; sparse: listings without a value stay out of them"
                        if optional and spec.listing.fields[name].default is None
                        else ""
                    )
                    + f". The listings table uses {used} of DynamoDB's {MAX_GSIS} indexes "
                    f"({len(indexed)} of at most {MAX_INDEXED_FIELDS} indexed fields)"
                ),
                "indexes": str(INDEXES_PER_FIELD),
            }
        )
    return out
