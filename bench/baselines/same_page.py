"""Whether a baseline answered the very same product page as the gateway: without it,
the ratios would compare different work."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from bench.baselines.handwritten import CURSOR_KEY, CURSORS


def cursor_key(cursor: Any, *, gateway: bool) -> dict[str, str] | None:
    """The listing key a cursor holds. The gateway's is read from its payload
    (base64url JSON `{"q", "k"}`, graph/store/cursors.py) without checking its MAC; the
    hand-written one is verified. None when it cannot be read."""
    if not isinstance(cursor, str) or "." not in cursor:
        return None
    if not gateway:
        return CURSORS.decode(cursor)
    body = cursor.split(".", 1)[0]
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, binascii.Error):
        return None
    key = payload.get("k") if isinstance(payload, dict) else None
    return {k: key[k] for k in CURSOR_KEY if k in key} if isinstance(key, dict) else None


def same_page(gateway: Any, other: Any) -> str | None:
    """None when `other` answers the same product page as the gateway; else what differs.
    Everything is compared exactly but `endCursor`, which each side signs in its own
    format: both must hold the same listing key (the last node's)."""
    if not isinstance(gateway, dict) or "errors" in gateway or "data" not in gateway:
        return f"the gateway answered {str(gateway)[:300]}"
    if not isinstance(other, dict) or "data" not in other:
        return f"answered {str(other)[:300]}"
    mine, theirs = gateway["data"]["productListings"], other["data"]["productListings"]
    if mine["edges"] != theirs["edges"]:
        return "the edges differ"
    info, other_info = mine["pageInfo"], theirs["pageInfo"]
    if info["hasNextPage"] != other_info["hasNextPage"]:
        return "hasNextPage differs"
    key = cursor_key(info["endCursor"], gateway=True)
    other_key = cursor_key(other_info["endCursor"], gateway=False)
    if key is None or other_key is None or key != other_key:
        return f"endCursor holds {other_key}, the gateway's {key}"
    return None
