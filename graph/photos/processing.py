"""Check and decode one uploaded photo, and make its renditions (issue 27).

Pure (bytes in, bytes out, no I/O): the attach resolver runs `process` in a worker
thread. The order of checks is the point:

1. the real type comes from the bytes (Pillow's sniffing, restricted to JPEG, PNG, WebP
   and AVIF): a PDF or an SVG renamed `.jpg` is refused before any decoder runs;
2. the pixel count is read from the header and bounded BEFORE decoding, so a
   50,000 x 50,000 PNG of a few KB is refused, never inflated;
3. decoding refuses a truncated file (Pillow's default);
4. the orientation is applied and every rendition is re-encoded from pixels alone:
   EXIF (GPS included), XMP and comments never reach a rendition.
"""

from __future__ import annotations

import hashlib
import io
import warnings

import blurhash
from PIL import Image, ImageOps, UnidentifiedImageError

from graph.photos.rules import FORMATS, MAX_PIXELS, WEBP_QUALITY, WIDTHS, PhotoRejected, Processed


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(
            f"The image has too many pixels; at most {MAX_PIXELS:,} are taken."
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise PhotoRejected(
            "The file is not a JPEG, PNG, WebP or AVIF image (its bytes say otherwise, "
            "whatever its name or declared type)."
        ) from exc
    if image.format not in FORMATS:  # pragma: no cover - `formats=` restricts it
        raise PhotoRejected("The file is not a JPEG, PNG, WebP or AVIF image.")
    return image


def _bounded(image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise PhotoRejected(
            f"The image is {width} x {height} pixels; at most {MAX_PIXELS:,} pixels are "
            "taken. Resize it and upload it again."
        )
    if getattr(image, "n_frames", 1) > 1:
        raise PhotoRejected("Animated images are not taken; upload a single frame.")


def _decoded(image: Image.Image) -> Image.Image:
    if image.format == "JPEG":
        # Decode at the smallest DCT scale still at least as large as the largest
        # rendition: a 12 MP JPEG decodes about 4x faster at half scale.
        image.draft("RGB", (max(WIDTHS), max(WIDTHS)))
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoRejected(
            "The image could not be decoded: the file is truncated or damaged. Upload it again."
        ) from exc
    mode = "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
    return upright.convert(mode)


def _placeholder(pixels: Image.Image) -> str:
    small = pixels.convert("RGB")
    small.thumbnail((32, 32))
    return str(blurhash.encode(small, x_components=4, y_components=3))


def _rendition(pixels: Image.Image, width: int) -> bytes:
    if pixels.width > width:
        height = max(1, round(pixels.height * width / pixels.width))
        pixels = pixels.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)
    out = io.BytesIO()
    # Pixels only: no `exif`, `xmp` or comment is passed, so none is written.
    pixels.save(out, "WEBP", quality=WEBP_QUALITY, method=4, exif=b"", xmp=b"")
    return out.getvalue()


def process(data: bytes) -> Processed:
    """Check, decode and resize one photo; PhotoRejected with the reason otherwise."""
    image = _open(data)
    fmt = str(image.format)
    _bounded(image)
    width, height = image.size
    if image.getexif().get(0x0112) in (5, 6, 7, 8):
        width, height = height, width  # turned upright by its EXIF orientation
    pixels = _decoded(image)
    widths = [w for w in WIDTHS if w < width] + [min(width, max(WIDTHS))]
    return Processed(
        format=fmt,
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
        placeholder=_placeholder(pixels),
        renditions={w: _rendition(pixels, w) for w in sorted(set(widths))},
    )
