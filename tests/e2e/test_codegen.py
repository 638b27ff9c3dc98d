"""Typed clients: graphql-codegen's client preset (examples/codegen, pinned npm packages
from `make codegen-tools`) on each demo tenant's served SDL, with the README's
operations, then `tsc` over code that uses the generated types."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from graph.playground.examples import dev_key
from tests.e2e.devstack import DEMO_TENANTS, REPO_ROOT, DevStack

EXAMPLE = REPO_ROOT / "examples" / "codegen"
TOOLS = REPO_ROOT / ".cache" / "codegen" / "node_modules"


def served_sdl(dev_stack: DevStack, tenant: str, scope: str = "read") -> str:
    request = urllib.request.Request(
        f"{dev_stack.base_url}/schema.graphql",
        headers={"X-Api-Key": dev_key(tenant, scope)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text: str = response.read().decode()
    return text


def run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return output


@pytest.fixture(scope="module")
def tools() -> Path:
    if not (TOOLS / ".bin" / "graphql-codegen").exists():
        pytest.fail("graphql-codegen is not installed: run `make codegen-tools`.")
    return TOOLS


#: Generate with a read key (docs/embedding.md): what storefront code holds; the example
#: selects no private field, so a write key's larger schema works too.
@pytest.mark.parametrize(
    ("tenant", "scope"), [*((t, "read") for t in DEMO_TENANTS), (DEMO_TENANTS[0], "write")]
)
def test_codegen_types_the_readme_operations_for_each_tenant(
    dev_stack: DevStack, tools: Path, tmp_path: Path, tenant: str, scope: str
) -> None:
    project = tmp_path / tenant
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("node_modules", "gql"))
    (project / "node_modules").symlink_to(tools)
    shutil.copy(EXAMPLE / "per-tenant" / f"{tenant}.ts", project / "src" / f"{tenant}.ts")
    (project / "schema.graphql").write_text(served_sdl(dev_stack, tenant, scope))

    env = {**os.environ, "SCHEMA": "schema.graphql", "TENANT": tenant}
    done = subprocess.run(
        [str(tools / ".bin" / "graphql-codegen"), "--config", "codegen.ts"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    generated = (project / "src" / "gql" / "graphql.ts").read_text()
    # The scalars are mapped: Decimal and DateTime are strings, JSON is `unknown`
    # (history's old/new values), nothing is `any`.
    assert "price: { amount: string, currency: string }" in generated
    assert "event: AuditEvent, at: string }" in generated
    assert "old: unknown, new: unknown" in generated
    assert ": any" not in generated
    custom = "KicksCustomFieldsQuery" if tenant == "kicks" else "ThreadsCustomFieldsQuery"
    assert f"export type {custom} =" in generated
    for operation in ("ProductPageQuery", "CreateListingMutation", "AuditTrailQuery"):
        assert f"export type {operation} =" in generated

    run([str(tools / ".bin" / "tsc"), "-p", "tsconfig.json"], project)


def test_tsc_catches_a_wrong_type(dev_stack: DevStack, tools: Path, tmp_path: Path) -> None:
    """The type check can fail: a Decimal used as a number is an error."""
    project = tmp_path / "wrong"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("node_modules", "gql"))
    (project / "node_modules").symlink_to(tools)
    (project / "schema.graphql").write_text(served_sdl(dev_stack, "kicks"))
    env = {**os.environ, "SCHEMA": "schema.graphql", "TENANT": "kicks"}
    subprocess.run(
        [str(tools / ".bin" / "graphql-codegen"), "--config", "codegen.ts"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (project / "src" / "wrong.ts").write_text(
        'import type { ProductPageQuery } from "./gql/graphql";\n'
        'type Node = ProductPageQuery["productListings"]["edges"][number]["node"];\n'
        "export const doubled = (n: Node): number => n.price.amount * 2;\n"
    )
    done = subprocess.run(
        [str(tools / ".bin" / "tsc"), "-p", "tsconfig.json"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "wrong.ts" in done.stdout
