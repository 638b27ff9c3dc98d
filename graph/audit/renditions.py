"""Renditions a listing change left unused (issue 27): the photos in a stream record's
old image that its new image no longer holds. The consumer deletes their objects after
the history entry of that change is written, so the trail always names photos whose
renditions existed when it recorded them, and a failed delete retries the record."""

from __future__ import annotations

from typing import Any

from graph.store import from_wire, rendition_key


def _folders(image: dict[str, Any]) -> dict[str, list[int]]:
    photos = from_wire(image).get("photos") or []
    return {str(p["key"]): [int(w) for w in p.get("widths", [])] for p in photos if "key" in p}


def unused_renditions(record: dict[str, Any]) -> list[str]:
    """Object keys of renditions the old image held and the new image does not."""
    data = record.get("dynamodb") or {}
    old = _folders(data.get("OldImage") or {})
    if not old:
        return []
    new = _folders(data.get("NewImage") or {})
    return [
        rendition_key(folder, width)
        for folder, widths in sorted(old.items())
        if folder not in new
        for width in widths
    ]
