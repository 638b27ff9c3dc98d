"""YAML extension files, read strictly: a key given twice is an error, as in TOML.

PyYAML's SafeLoader keeps the last of two equal keys without a word, so a second
`size:` under `listing.fields` would silently replace the first. `StrictLoader` checks
every mapping of the document before it is built and names the path of the duplicate.
"""

from __future__ import annotations

import functools
from typing import Any


class DuplicateKeyError(ValueError):
    """A mapping in a YAML extension file repeats a key; `path` is where."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


@functools.cache
def strict_loader() -> Any:
    """SafeLoader that refuses duplicate keys anywhere in the document. Made on first use:
    PyYAML is imported only when a tenant has a YAML extension file."""
    import yaml

    class StrictLoader(yaml.SafeLoader):  # type: ignore[misc]
        def construct_document(self, node: yaml.Node) -> Any:
            _refuse_duplicates(node, ())
            return super().construct_document(node)

    return StrictLoader


def _refuse_duplicates(node: Any, path: tuple[str, ...]) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise DuplicateKeyError(
                    ".".join((*path, key)),
                    f"the key `{key}` appears twice (lines {seen[key]} and {line}); YAML "
                    "would keep only the last one: remove or rename one of them",
                )
            seen[key] = line
            _refuse_duplicates(value_node, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for n, item in enumerate(node.value):
            _refuse_duplicates(item, (*path, str(n)))


def load_yaml(text: str) -> Any:
    """Parse one YAML document (None for an empty file becomes {})."""
    import yaml

    try:
        return yaml.load(text, Loader=strict_loader()) or {}  # a SafeLoader
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {exc}") from exc
