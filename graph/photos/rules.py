"""What a listing photo must be, and what processing one gives (issue 27), without
Pillow: the resolvers and the schema import these names on every cold start, while the
decoder (graph/photos/processing.py, Pillow and blurhash) loads with the first photo."""

from __future__ import annotations

from dataclasses import dataclass

#: Formats accepted, by Pillow's name, with their media type. HEIC is not among them:
#: Pillow cannot decode it without a plugin this project does not ship.
FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
}
#: Largest photo decoded: 40 megapixels (a 50 MP phone photo is 8160 x 6120: refuse it
#: rather than spend a Lambda's memory; 40 MP of RGB is 120 MB decoded).
MAX_PIXELS = 40_000_000
#: Rendition widths, in pixels; a photo narrower than one gets no rendition above it.
WIDTHS: tuple[int, ...] = (160, 320, 640, 1280)
WEBP_QUALITY = 80


class PhotoRejected(Exception):
    """The file is not a photo this gateway takes; `message` says why, for the seller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Processed:
    format: str
    width: int
    height: int
    #: SHA-256 of the uploaded bytes.
    sha256: str
    placeholder: str
    #: WebP bytes by width.
    renditions: dict[int, bytes]
