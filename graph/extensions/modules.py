"""Loading a tenant's optional Python extension module, `tenants/extensions/<id>.py`.

The module is checked before it runs: it may import the standard library, third-party
packages and `graph.extensions.api`, but not the store, the AWS SDKs or any other part
of the gateway, so its code can reach data only through the ExtensionContext it is
given (this tenant's loaders). A module that fails the check, fails to import or
declares something invalid makes only its tenant's schema fail to build.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.extensions.api import COMPUTED_MARK, HOOK_MARK, ComputedSpec
from graph.extensions.spec import FIELD_NAME, ExtensionError

FORBIDDEN_ROOTS = frozenset({"boto3", "botocore", "aioboto3", "aiobotocore", "tenants"})
ALLOWED_GRAPH = frozenset({"graph.extensions.api"})


@dataclass
class TenantModule:
    path: Path | None = None
    computed: dict[str, list[ComputedSpec]] = field(
        default_factory=lambda: {"listing": [], "seller": []}
    )
    hooks: dict[str, list[Any]] = field(default_factory=lambda: {"listing": [], "seller": []})


def _check_imports(path: Path, source: str) -> None:
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise ExtensionError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from exc
    for node in ast.walk(tree):
        names: list[str] = []
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise ExtensionError(f"{path}:{line}: relative imports are not allowed")
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            raise ExtensionError(f"{path}:{line}: __import__ is not allowed")
        for name in names:
            root = name.split(".")[0]
            if root in FORBIDDEN_ROOTS or (root == "graph" and name not in ALLOWED_GRAPH):
                raise ExtensionError(
                    f"{path}:{line}: extension modules may not import {name!r}; use "
                    "graph.extensions.api (ExtensionContext gives read access to this "
                    "tenant's listings and sellers)"
                )


def load_module(tenants_dir: Path, tenant_id: str) -> TenantModule:
    path = tenants_dir / "extensions" / f"{tenant_id}.py"
    if not path.exists():
        return TenantModule()
    source = path.read_text()
    _check_imports(path, source)
    spec = importlib.util.spec_from_file_location(f"resale_graph_tenant_{tenant_id}", path)
    if spec is None or spec.loader is None:
        raise ExtensionError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ExtensionError(f"{path}: importing the module failed: {exc!r}") from exc
    loaded = TenantModule(path=path)
    for value in vars(module).values():
        mark = getattr(value, COMPUTED_MARK, None)
        if isinstance(mark, ComputedSpec):
            import re

            if not re.match(FIELD_NAME, mark.name):
                raise ExtensionError(f"{path}: computed field name {mark.name!r} is not snake_case")
            loaded.computed[mark.entity].append(mark)
        entity = getattr(value, HOOK_MARK, None)
        if entity in loaded.hooks:
            loaded.hooks[entity].append(value)
    return loaded


async def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call extension code that may be sync or async."""
    result = fn(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result
