"""`graph dev`'s photos: the local S3 server, and real photos for the demo listings
(drawn with Pillow at start-up, processed like an upload)."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from graph.local import s3_local
from graph.local.dynamodb_local import port_is_free
from graph.photos import Processed, process
from graph.registry.tenants import Tenant
from graph.store import rendition_key

#: Demo listings of these products get photos (the demo pages show them).
PHOTO_PRODUCTS = frozenset({"prd-001", "prd-002", "prd-003", "prd-004", "prd-005"})
COLOURS = ((196, 64, 52), (40, 96, 160), (60, 140, 80), (220, 170, 40))


def start(folder: Path, say: Callable[[str], None]) -> s3_local.RunningS3:
    say(f"Starting the local S3 server (data in {folder / 's3'}) ...")
    # The usual port when free (a second stack, e.g. a browser test's, takes another).
    port = s3_local.DEV_PORT if port_is_free(s3_local.DEV_PORT) else None
    running = s3_local.start(port=port, data=folder / "s3", log_file=folder / "s3-local.log")
    say(f"  local S3 at {running.endpoint} (pid {running.pid})")
    return running


def _drawn(colour: tuple[int, int, int], label: str) -> bytes:
    image = Image.new("RGB", (1600, 1200), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((420, 260, 1180, 940), fill=(245, 245, 240))
    draw.rectangle((560, 780, 1040, 860), fill=(30, 30, 30))
    draw.text((80, 80), label, fill=(255, 255, 255), font_size=96)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def demo_photos() -> list[Processed]:
    return [process(_drawn(c, f"photo {n + 1}")) for n, c in enumerate(COLOURS)]


async def attach_demo_photos(
    s3: Any, tenant: Tenant, listings: Iterable[dict[str, Any]], photos: list[Processed]
) -> int:
    """Write renditions for the demo listings into the tenant's bucket (created by
    `prepare_tenants`) and put their `photos` attribute on the items (before they are
    loaded). Returns photos written."""
    puts = []
    written = 0
    for n, listing in enumerate(listings):
        if listing.get("productId") not in PHOTO_PRODUCTS:
            continue
        stored = []
        for k in range(2):
            photo = photos[(n + k) % len(photos)]
            seed = f"{listing['listingId']}\x00{photo.sha256}"
            folder = hashlib.sha256(seed.encode()).hexdigest()[:40]
            for width, body in photo.renditions.items():
                puts.append(
                    s3.put_object(
                        Bucket=tenant.photos_bucket,
                        Key=rendition_key(folder, width),
                        Body=body,
                        ContentType="image/webp",
                        CacheControl="public, max-age=31536000, immutable",
                    )
                )
            stored.append(
                {
                    "uploadId": f"upl-demo-{n}-{k}",
                    "key": folder,
                    "widths": sorted(photo.renditions),
                    "bytes": [len(photo.renditions[w]) for w in sorted(photo.renditions)],
                    "width": photo.width,
                    "height": photo.height,
                    "alt": f"{listing['title']}, photo {k + 1}",
                    "placeholder": photo.placeholder,
                    "sha256": photo.sha256,
                    "type": "image/jpeg",
                }
            )
            written += 1
        listing["photos"] = stored
    for start in range(0, len(puts), 32):
        await asyncio.gather(*puts[start : start + 32])
    return written
