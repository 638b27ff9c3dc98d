"""Listing photos without I/O: checking, decoding and resizing an upload (issue 27)."""

from graph.photos.processing import FORMATS, MAX_PIXELS, WIDTHS, PhotoRejected, Processed, process

__all__ = ["FORMATS", "MAX_PIXELS", "WIDTHS", "PhotoRejected", "Processed", "process"]
