"""The HCL side of the infra tests: parse infra/terraform without a Terraform binary.

The HCL is parsed with python-hcl2 (7.x and 8.x both work: 8.x keeps the quotes of
string literals and block labels and adds `__is_block__` markers, which `_norm`
strips). The expected side of every comparison comes from the code
(`graph.store.tables.tenant_table_specs`, of each example tenant's extension) or
from the rules in the infra brief, never from the .tf files themselves, so each test
fails on real drift.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

from tests.infra.expressions import Expression

REPO_ROOT = Path(__file__).resolve().parents[2]
TF_ROOT = REPO_ROOT / "infra" / "terraform"
MODULE_DIR = TF_ROOT / "modules" / "tenant-account"
WRAPPER_DIR = TF_ROOT / "wrappers"
EXAMPLE_TENANTS = ("kicks", "threads")

GATEWAY_HANDLER = "graph.lambdas.gateway.gateway_handler"
AUDIT_HANDLER = "graph.lambdas.audit.audit_handler"
WEBSOCKET_HANDLER = "graph.lambdas.websocket.websocket_handler"
FANOUT_HANDLER = "graph.lambdas.fanout.fanout_handler"
MAX_STREAM_RETRIES = 5

ALL_TF_FILES = sorted(TF_ROOT.rglob("*.tf"))


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _norm(node: Any) -> Any:
    """hcl2 7.x and 8.x output in one shape: no quotes around literals, no markers."""
    if isinstance(node, dict):
        return {_unquote(k): _norm(v) for k, v in node.items() if not k.startswith("__")}
    if isinstance(node, list):
        return [_norm(item) for item in node]
    return _unquote(node)


@cache
def _parse(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = _norm(hcl2.load(handle))
    return parsed


class Config:
    """The blocks of one Terraform module directory, merged across its files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.resources: dict[str, dict[str, dict[str, Any]]] = {}
        self.data: dict[str, dict[str, dict[str, Any]]] = {}
        self.variables: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.locals: dict[str, Any] = {}
        self.modules: dict[str, dict[str, Any]] = {}
        self.values: dict[str, Any] = {}  # variables set by assuming()
        files = sorted(directory.glob("*.tf"))
        assert files, f"no .tf files in {directory}"
        for path in files:
            doc = _parse(path)
            for kind, target in (("resource", self.resources), ("data", self.data)):
                for entry in doc.get(kind, []):
                    for type_, named in entry.items():
                        for name, body in named.items():
                            target.setdefault(type_, {})[name] = body
            for entry in doc.get("variable", []):
                self.variables.update(entry)
            for entry in doc.get("output", []):
                self.outputs.update(entry)
            for entry in doc.get("module", []):
                self.modules.update(entry)
            for entry in doc.get("locals", []):
                self.locals.update(entry)

    def resources_of(self, type_: str) -> dict[str, dict[str, Any]]:
        return self.resources.get(type_, {})

    def default(self, variable: str) -> Any:
        assert variable in self.variables, f"variable {variable!r} is not declared"
        return self.variables[variable].get("default")

    def resolve(self, value: Any) -> Any:
        """Replace a whole-value `${local.x}` reference by the local's value, recursively."""
        if isinstance(value, str):
            match = re.fullmatch(r"\$\{local\.(\w+)\}", value)
            if match:
                assert match.group(1) in self.locals, f"undeclared local {match.group(1)!r}"
                return self.resolve(self.locals[match.group(1)])
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def assuming(self, **values: Any) -> Config:
        """This configuration with some variables set, as a caller would set them."""
        for name in values:
            assert name in self.variables, f"variable {name!r} is not declared"
        other = copy.copy(self)
        other.values = {**self.values, **values}
        return other

    def value(self, variable: str) -> Any:
        """The variable's value: as set by assuming(), else its default."""
        return self.values[variable] if variable in self.values else self.default(variable)

    def evaluate(self, value: Any) -> Any:
        """Evaluate an expression of the module with variable values (defaults unless set
        by assuming()): literals, var., local., lists, length(), floor(), !, &&, ||,
        comparisons, conditionals. A reference to a resource or data source evaluates to its own
        `${...}` text.

        Unknown forms fail loudly, so a new construct makes the test be extended
        instead of being read wrongly.
        """
        if not isinstance(value, str):
            return value
        match = re.fullmatch(r"\$\{(.*)\}", value, re.DOTALL)
        return self._expression(match.group(1).strip()) if match else value

    def _expression(self, text: str) -> Any:
        return Expression(self, text).evaluate()


@cache
def module() -> Config:
    return Config(MODULE_DIR)


def _blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Nested blocks `name { ... }` of a body (hcl2 gives a list of dicts, or one dict)."""
    found = body.get(name, [])
    return found if isinstance(found, list) else [found]


def _expanded_blocks(config: Config, body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Nested blocks `name` of a body as Terraform makes them: the static ones, then each
    `dynamic "name"` block once per element of its `for_each` (evaluated with the
    config's variable values), with `${name.value}` in its strings replaced by the
    element. Any other reference left in a dynamic block's strings fails loudly."""
    found = list(_blocks(body, name))
    for dynamic in _blocks(body, "dynamic"):
        if name not in dynamic:
            continue
        block = dynamic[name]
        assert "iterator" not in block, f"dynamic {name!r}: `iterator` is not supported here"
        elements = config.evaluate(block["for_each"])
        assert isinstance(elements, list), f"dynamic {name!r}: for_each is not a list"
        (content,) = _blocks(block, "content")
        for element in elements:
            found.append(_substitute(content, f"${{{name}.value}}", str(element)))
    return found


def _substitute(node: Any, reference: str, value: str) -> Any:
    if isinstance(node, str):
        text = node.replace(reference, value)
        assert "${" not in text, f"tests/infra/hcl.py cannot expand {node!r}"
        return text
    if isinstance(node, list):
        return [_substitute(item, reference, value) for item in node]
    if isinstance(node, dict):
        return {key: _substitute(item, reference, value) for key, item in node.items()}
    return node


def _block(body: dict[str, Any], name: str) -> dict[str, Any]:
    found = _blocks(body, name)
    assert len(found) == 1, f"expected exactly one {name!r} block, found {len(found)}"
    return found[0]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _var_reference(value: Any) -> str | None:
    match = re.fullmatch(r"\$\{var\.(\w+)\}", value) if isinstance(value, str) else None
    return match.group(1) if match else None
