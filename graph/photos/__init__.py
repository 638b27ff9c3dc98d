"""Listing photos without I/O: checking, decoding and resizing an upload (issue 27).

The rules and result types (rules.py) load with the package; Pillow and blurhash
(processing.py, ~10 ms of a cold start) only when the first photo is processed.
"""

from graph.photos.rules import FORMATS, MAX_PIXELS, WIDTHS, PhotoRejected, Processed


def process(data: bytes) -> Processed:
    """Check, decode and resize one photo; PhotoRejected with the reason otherwise."""
    from graph.photos import processing

    return processing.process(data)


__all__ = ["FORMATS", "MAX_PIXELS", "WIDTHS", "PhotoRejected", "Processed", "process"]
