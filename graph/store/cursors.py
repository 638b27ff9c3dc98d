"""Opaque, signed pagination cursors bound to the tenant and the query they came from.

A cursor is `base64url(json({"q": query_fingerprint, "k": last_key})) + "." + mac`, where
the MAC is HMAC-SHA256 over the payload and the tenant's id. A cursor from another
tenant, from another query, or edited by hand fails verification.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from graph.errors import BadUserInput

_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, secret: bytes, tenant_id: str) -> None:
        self._key = hmac.new(secret, b"cursor:" + tenant_id.encode(), hashlib.sha256).digest()

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, query: str, key: dict[str, str]) -> str:
        payload = json.dumps({"q": query, "k": key}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def decode(self, query: str, cursor: str) -> dict[str, str]:
        """The key a cursor holds; BadUserInput when it is malformed, forged or foreign."""
        try:
            body, mac = cursor.split(".", 1)
            payload = _unb64(body)
            valid = hmac.compare_digest(_unb64(mac), self._mac(payload))
            decoded: Any = json.loads(payload) if valid else None
        except (ValueError, UnicodeDecodeError):
            decoded = None
        if not isinstance(decoded, dict) or not isinstance(decoded.get("k"), dict):
            raise BadUserInput(
                "The cursor is not valid: pass an `endCursor` or edge `cursor` exactly as "
                "this API returned it.",
                argument="after",
            )
        if decoded.get("q") != query:
            raise BadUserInput(
                "The cursor belongs to another query: a cursor only continues the query "
                "(same field and arguments) that returned it.",
                argument="after",
            )
        key: dict[str, str] = decoded["k"]
        return key
