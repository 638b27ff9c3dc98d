"""Every .tf file parses, and the module and examples have their standard files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.hcl import ALL_TF_FILES, EXAMPLE_TENANTS, MODULE_DIR, TF_ROOT, _parse


@pytest.mark.parametrize("path", ALL_TF_FILES, ids=lambda p: str(p.relative_to(TF_ROOT)))
def test_tf_file_parses(path: Path) -> None:
    assert isinstance(_parse(path), dict)


def test_layout() -> None:
    assert ALL_TF_FILES, "no .tf files under infra/terraform"
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (MODULE_DIR / name).is_file(), f"modules/tenant-account/{name} is missing"
    for tenant in EXAMPLE_TENANTS:
        root = TF_ROOT / "examples" / tenant
        assert (root / "versions.tf").is_file(), f"examples/{tenant}/versions.tf is missing"
        assert (root / "terraform.tfvars.example").is_file(), f"examples/{tenant} lacks tfvars"
