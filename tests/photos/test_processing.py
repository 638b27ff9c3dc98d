"""graph/photos/processing.py without I/O: what it accepts, refuses and produces."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from graph.photos import MAX_PIXELS, PhotoRejected, process
from tests.schema.photo_kit import jpeg_with_gps, png_bomb


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "AVIF"])
def test_each_accepted_format(fmt: str) -> None:
    processed = process(encoded(Image.new("RGB", (500, 400), (10, 120, 200)), fmt))
    assert processed.format == fmt
    assert (processed.width, processed.height) == (500, 400)
    assert sorted(processed.renditions) == [160, 320, 500]


def test_a_photo_smaller_than_every_width_keeps_its_own() -> None:
    processed = process(encoded(Image.new("RGB", (90, 60)), "PNG"))
    assert list(processed.renditions) == [90]


def test_renditions_are_webp_of_the_width_and_carry_no_metadata() -> None:
    processed = process(jpeg_with_gps((2000, 1000)))
    for width, body in processed.renditions.items():
        rendition = Image.open(io.BytesIO(body))
        assert (rendition.format, rendition.size) == ("WEBP", (width, width // 2))
        assert not rendition.getexif()
        assert "xmp" not in rendition.info


def test_the_exif_orientation_is_applied_before_it_is_dropped() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    processed = process(encoded(Image.new("RGB", (800, 400)), "JPEG", exif=exif))
    assert (processed.width, processed.height) == (400, 800)
    assert Image.open(io.BytesIO(processed.renditions[320])).size == (320, 640)


def test_transparency_survives() -> None:
    processed = process(encoded(Image.new("RGBA", (300, 300), (0, 0, 0, 0)), "PNG"))
    assert Image.open(io.BytesIO(processed.renditions[160])).mode == "RGBA"


def test_the_placeholder_is_a_short_blurhash() -> None:
    placeholder = process(jpeg_with_gps((640, 480))).placeholder
    assert 20 <= len(placeholder) <= 40


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7 not an image",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        encoded(Image.new("RGB", (10, 10)), "GIF"),
        encoded(Image.new("RGB", (10, 10)), "BMP"),
        b"",
    ],
    ids=["pdf", "svg", "gif", "bmp", "empty"],
)
def test_not_an_accepted_image(data: bytes) -> None:
    with pytest.raises(PhotoRejected, match="not a JPEG, PNG, WebP or AVIF"):
        process(data)


def test_a_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(PhotoRejected, match="pixels"):
        process(png_bomb())


def test_just_over_the_pixel_bound_is_refused_before_decoding() -> None:
    side = int(MAX_PIXELS**0.5) + 1
    with pytest.raises(PhotoRejected, match="pixels"):
        process(png_bomb(side))


def test_a_truncated_file_is_refused() -> None:
    whole = jpeg_with_gps((800, 600))
    with pytest.raises(PhotoRejected, match="truncated"):
        process(whole[: len(whole) * 2 // 3])


def test_an_animation_is_refused() -> None:
    frames = [Image.new("RGB", (50, 50), (n * 60, 0, 0)) for n in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:])
    with pytest.raises(PhotoRejected, match="Animated"):
        process(out.getvalue())
