"""A tenant's allowed CORS origins: `graph tenants origins add|remove|list`.

The registry file is edited in place: only its top-level `origins = [...]` line
changes, so comments and the order of everything else stay as they were. The result is
validated like any registry entry before it replaces the file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from graph.registry.tenants import RegistryError, load_tenant_file

#: A DNS name or IPv4 address as browsers put it in `Origin`: dot-separated labels of
#: letters, digits and inner hyphens (IDNs arrive punycoded, `xn--...`).
_HOST = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
#: What may appear in the text at all: visible ASCII. Python's urlsplit silently drops
#: tabs and newlines inside a URL, so they are refused before it sees them.
_VISIBLE = re.compile(r"^[\x21-\x7e]+$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: The top-level `origins = [...]` assignment (possibly over several lines).
_ORIGINS_LINE = re.compile(r"^origins\s*=\s*\[[^\]]*\][^\n]*\n?", re.MULTILINE)


def allow_command(tenant_id: str, origin: str) -> str:
    """The command that allows `origin` for a tenant (named in every refusal's log line)."""
    return f"graph tenants origins add {tenant_id} {origin}"


def printable_origin(origin: str) -> str:
    """An origin as sent, cut short and limited to printable ASCII (for echoing)."""
    return "".join(c if " " <= c <= "~" else "?" for c in origin[:200])


class OriginError(ValueError):
    """Not an origin; the message says what to write instead."""


def normalize_origin(raw: str) -> str:
    """`scheme://host[:port]` as browsers send it in `Origin`: lower case, no default
    port, no path, query or fragment."""
    text = raw.strip()
    if not _VISIBLE.match(text):
        raise OriginError(
            f"{raw!r} is not an origin: it has spaces, control or non-ASCII characters; "
            "use http(s)://host[:port] (punycode for international names)"
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise OriginError(f"{raw!r} is not an origin ({exc}): use scheme://host[:port]") from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or not host or not _HOST.match(host):
        raise OriginError(
            f"{raw!r} is not an origin: use http(s)://host[:port], e.g. https://shop.example"
        )
    if parts.username or parts.password:
        raise OriginError(f"{raw!r} has credentials in it; an origin is scheme://host[:port]")
    if parts.path or parts.query or parts.fragment or text.endswith(("?", "#")):
        bare = f"{scheme}://{host}" + (f":{port}" if port else "")
        raise OriginError(
            f"{raw!r} has a path, query or fragment; an origin has none: use {bare!r} "
            "(what the browser sends in its Origin header)"
        )
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise OriginError(f"{raw!r} is not an origin: a port is a number from 1 to 65535")
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def list_origins(path: Path, stage: str) -> tuple[str, ...]:
    return load_tenant_file(path, stage).config.origins


def set_origins(path: Path, stage: str, origins: tuple[str, ...]) -> None:
    """Rewrite the file's `origins` line (adding one if missing), validate, replace."""
    text = path.read_text()
    line = f"origins = {json.dumps(list(origins))}\n"
    if _ORIGINS_LINE.search(text):
        text = _ORIGINS_LINE.sub(lambda _: line, text, count=1)
    else:
        first_table = re.search(r"^\[", text, re.MULTILINE)
        at = first_table.start() if first_table else len(text)
        prefix = text[:at] if text[:at].endswith("\n") or not at else text[:at] + "\n"
        text = prefix + line + ("\n" if first_table else "") + text[at:]
    _validate(text, path.stem, stage, origins)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _validate(text: str, tenant_id: str, stage: str, origins: tuple[str, ...]) -> None:
    """Load the edited text as the registry would, under the file's real name."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / f"{tenant_id}.toml"
        probe.write_text(text)
        got = load_tenant_file(probe, stage).config.origins
    if got != origins:
        raise RegistryError(f"editing origins of {tenant_id!r} gave {got}, expected {origins}")


def add_origin(path: Path, stage: str, raw: str) -> tuple[str, bool]:
    """(normalized origin, whether the file changed)."""
    origin = normalize_origin(raw)
    current = list_origins(path, stage)
    if origin in current:
        return origin, False
    set_origins(path, stage, (*current, origin))
    return origin, True


def remove_origin(path: Path, stage: str, raw: str) -> str:
    origin = normalize_origin(raw)
    current = list_origins(path, stage)
    if origin not in current:
        known = ", ".join(current) or "none"
        raise RegistryError(f"{path}: {origin} is not an allowed origin (allowed: {known})")
    set_origins(path, stage, tuple(o for o in current if o != origin))
    return origin
