"""checkov over infra/terraform reports no failed check."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.hcl import ALL_TF_FILES, REPO_ROOT, TF_ROOT

SKIP = re.compile(r"#checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def _checkov_summary(stdout: str, stderr: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    start = min((i for i in (stdout.find("{"), stdout.find("[")) if i >= 0), default=-1)
    assert start >= 0, f"checkov printed no JSON:\n{stdout[-2000:]}\n{stderr[-3000:]}"
    reports = json.loads(stdout[start:])
    reports = reports if isinstance(reports, list) else [reports]
    summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}
    failed: list[dict[str, Any]] = []
    for report in reports:
        counts = report.get("summary", report)
        for key in summary:
            summary[key] += int(counts.get(key, 0) or 0)
        failed += report.get("results", {}).get("failed_checks", [])
    return summary, failed


def test_checkov_reports_no_failed_checks() -> None:
    checkov = Path(os.environ.get("CHECKOV_BIN", ".venv-infra/bin/checkov"))
    if not checkov.is_absolute():
        checkov = REPO_ROOT / checkov
    if not checkov.exists():
        pytest.fail(
            f"checkov not found at {checkov}: run `make infra-tools` (it creates .venv-infra), "
            "or point CHECKOV_BIN at a checkov executable."
        )
    result = subprocess.run(
        [
            str(checkov),
            "--framework",
            "terraform",
            "--compact",
            "--quiet",
            "--skip-download",  # offline: no guideline download from Prisma Cloud
            "-o",
            "json",
            "-d",
            "infra/terraform",
        ],
        cwd=REPO_ROOT,
        # checkov's own `hcl2` (bc-python-hcl2) must not be shadowed by the test's.
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    summary, failed = _checkov_summary(result.stdout, result.stderr)
    details = "\n".join(
        f"  {check['check_id']} {check.get('resource')} "
        f"({check.get('file_path')}:{check.get('file_line_range')}) {check.get('check_name')}"
        for check in failed
    )
    assert summary["failed"] == 0, f"checkov failed checks ({summary}):\n{details}"
    assert not failed, f"checkov failed checks ({summary}):\n{details}"
    assert summary["parsing_errors"] == 0, f"checkov could not parse some files: {summary}"
    assert summary["resource_count"] > 0, (
        f"checkov scanned no resources: {summary}\n{result.stderr[-2000:]}"
    )


def test_checkov_skips_carry_a_reason_and_are_listed() -> None:
    """Each inline skip says why (a sentence, not a word) and the README's table lists it."""
    readme = (TF_ROOT / "README.md").read_text(encoding="utf-8")
    problems: list[str] = []
    for path in ALL_TF_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "checkov:skip" not in line:
                continue
            where = f"{path.relative_to(TF_ROOT)}:{number}"
            match = SKIP.search(line)
            if not match or len((match.group(2) or "").split()) < 6:
                problems.append(f"{where}: skip without a reason: {line.strip()}")
            elif match.group(1) not in readme:
                problems.append(f"{where}: {match.group(1)} is not in the README's skip table")
    assert not problems, "\n".join(problems)
