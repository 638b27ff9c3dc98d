"""Request JSON, decoded safely: valid UTF-8, bounded nesting, valid Unicode strings.

Everything a client sends as JSON (a POST body, the `variables` and `extensions` query
parameters of a GET) passes through `decode()` before anything reads it:

- bytes must be UTF-8 (RFC 8259); anything else is BAD_REQUEST naming the byte offset;
- arrays and objects may nest at most `MAX_JSON_DEPTH` deep, counted on the raw text
  before decoding, so a body nested 100,000 deep never reaches a recursive decoder;
- strings must be valid Unicode: a lone UTF-16 surrogate escape (`"\\ud800"`) is refused
  here, so no such string reaches a resolver, a log line or DynamoDB;
- `variables` may take at most `MAX_VARIABLES_BYTES` as JSON;
- a document (`query`) may take at most `MAX_DOCUMENT_CHARS`, checked before parsing.

Each refusal is a `BadRequest` (HTTP 400, code BAD_REQUEST) that says what to fix.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from graph.errors import BadRequest

MAX_JSON_DEPTH = 32
MAX_VARIABLES_BYTES = 256 * 1024
#: The longest document accepted, in characters, refused before parsing: a storefront's
#: largest operation is a few kB; 2,000 tokens (the default maxTokens) of ordinary
#: names fit in about 20 kB.
MAX_DOCUMENT_CHARS = 100_000

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DELTA = [0] * 256
_DELTA[ord("[")] = _DELTA[ord("{")] = 1
_DELTA[ord("]")] = _DELTA[ord("}")] = -1
#: A \u escape of a UTF-16 surrogate: only then can a decoded string hold a lone one.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
#: A UTF-16 surrogate in a decoded string: never valid Unicode (graph/limits/arguments.py too).
SURROGATE = re.compile("[\ud800-\udfff]")


def json_depth(data: bytes) -> int:
    """How deep arrays and objects nest in `data` (brackets inside strings ignored)."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(accumulate(map(_DELTA.__getitem__, brackets)))


def has_lone_surrogate(value: Any) -> bool:
    """Does any string (key or value) in a decoded JSON value hold a UTF-16 surrogate?"""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def decode(data: str | bytes, what: str = "The request body") -> Any:
    """Decode client JSON, or raise BadRequest saying what is wrong with it."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"{what} is not valid UTF-8 (byte {exc.start} is 0x{raw[exc.start]:02x}); "
            "send JSON encoded as UTF-8."
        ) from None
    depth = json_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise BadRequest(
            f"{what} nests arrays/objects {depth} levels deep; at most {MAX_JSON_DEPTH} "
            "are allowed."
        )
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest(f"{what} is not valid JSON.") from None
    if _SURROGATE_ESCAPE.search(raw) and has_lone_surrogate(value):
        raise BadRequest(
            f"{what} has a string with a lone UTF-16 surrogate escape (such as \\ud800); "
            "strings must be valid Unicode."
        )
    return value


def check_variables(variables: Any) -> None:
    """Refuse `variables` over the size limit (measured as compact JSON)."""
    if not variables:
        return
    size = len(json.dumps(variables, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_VARIABLES_BYTES:
        raise BadRequest(
            f"`variables` take {size} bytes as JSON; at most {MAX_VARIABLES_BYTES} are "
            "allowed. Send less data per request."
        )


def check_document(query: Any) -> None:
    """Refuse a document longer than any client sends, before anything parses it."""
    if isinstance(query, str) and len(query) > MAX_DOCUMENT_CHARS:
        raise BadRequest(
            f"The document has {len(query)} characters; at most {MAX_DOCUMENT_CHARS} are "
            "allowed. Send a smaller document (or a persisted query's hash)."
        )
