"""Reading a tenant's extension file: TOML or YAML, its shape checked by the models in
spec.py, then every declared value by declarations.py. A mistake is refused here, with
the file and the path of each problem, before any request."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.extensions.declarations import declaration_problems
from graph.extensions.spec import ExtensionError, ExtensionSpec, Problem, problems_of
from graph.extensions.yaml_files import DuplicateKeyError, load_yaml


def parse_spec(data: dict[str, Any], source: str) -> ExtensionSpec:
    """Validate a parsed extension file: its shape (pydantic), then every declared value
    (defaults, bounds, names): a mistake is refused here, before any request."""
    try:
        spec = ExtensionSpec.model_validate(data)
    except ValidationError as exc:
        raise ExtensionError.of(source, problems_of(exc)) from exc
    problems = declaration_problems(spec)
    if problems:
        raise ExtensionError.of(source, problems)
    return spec


def extension_files(tenants_dir: Path, tenant_id: str) -> list[Path]:
    folder = tenants_dir / "extensions"
    return [
        p
        for p in (
            folder / f"{tenant_id}.toml",
            folder / f"{tenant_id}.yaml",
            folder / f"{tenant_id}.yml",
        )
        if p.exists()
    ]


def load_spec(tenants_dir: Path, tenant_id: str) -> ExtensionSpec:
    """The tenant's declared fields (none when it has no extension file)."""
    files = [p for p in extension_files(tenants_dir, tenant_id) if p.suffix != ".py"]
    if len(files) > 1:
        names = ", ".join(str(f) for f in files)
        raise ExtensionError(
            f"tenant {tenant_id!r} has several extension files ({names}); keep one of them"
        )
    if not files:
        return ExtensionSpec()
    path = files[0]
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(path.read_text())
        else:
            data = load_yaml(path.read_text())
    except DuplicateKeyError as exc:
        raise ExtensionError.of(str(path), [Problem(exc.path, exc.detail)]) from exc
    except (OSError, ValueError) as exc:
        raise ExtensionError(
            f"{path}: cannot read the extension file: {exc}",
            source=str(path),
            problems=[Problem("", f"cannot read the extension file: {exc}")],
        ) from exc
    if not isinstance(data, dict):
        raise ExtensionError.of(
            str(path), [Problem("", "the file must hold a mapping with `listing`/`seller`")]
        )
    return parse_spec(data, str(path))
