"""Deterministic demo data for the demo tenants: the README's examples use these ids.

Every tenant gets the same ids (`lst-0001`, `sel-001`, `prd-001`, ...) with its own
content, which is also what the isolation tests need: the same key in two tenants'
tables must never leak from one to the other.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from graph.store import status_shard

LISTINGS = 320
SELLERS = 32
PRODUCTS = 24
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

CATALOGS: dict[str, dict[str, Any]] = {
    "kicks": {
        "currency": "USD",
        "products": [
            "Air Jordan 1 High 'Chicago'",
            "Air Max 90 'Infrared'",
            "Dunk Low 'Panda'",
            "Yeezy Boost 350 V2 'Zebra'",
            "New Balance 550 'White Green'",
            "Adidas Samba OG 'Cloud White'",
            "Air Force 1 '07 'Triple White'",
            "Jordan 4 Retro 'Military Black'",
            "Asics Gel-Kayano 14 'Silver'",
            "New Balance 2002R 'Protection Pack Rain Cloud'",
            "Salomon XT-6 'Black'",
            "Vans Old Skool 'Black White'",
            "Converse Chuck 70 'Parchment'",
            "Nike Blazer Mid '77 Vintage'",
            "Adidas Gazelle 'Collegiate Green'",
            "Jordan 3 Retro 'White Cement'",
            "Puma Suede Classic 'Peacoat'",
            "Reebok Club C 85 'Chalk'",
            "Nike Cortez 'Forrest Gump'",
            "Hoka Clifton 9 'Black'",
            "On Cloudmonster 'All White'",
            "Air Max 1 '86 'Big Bubble'",
            "Jordan 11 Retro 'Concord'",
            "Nike SB Dunk Low 'Chunky Dunky'",
        ],
        "adjectives": ["Barely worn", "Deadstock", "Lightly used", "Well loved", "Clean pair"],
        "price": (60, 480),
    },
    "threads": {
        "currency": "EUR",
        "products": [
            "Merino Crewneck Sweater",
            "Selvedge Denim Jacket",
            "Linen Camp Shirt",
            "Waxed Cotton Field Coat",
            "Cashmere Rib Beanie",
            "Organic Cotton Tee",
            "Wool Overshirt",
            "Pleated Chino",
            "Quilted Liner Vest",
            "Heavyweight Hoodie",
            "Corduroy Trousers",
            "Silk Slip Dress",
            "Alpaca Cardigan",
            "Trench Coat",
            "Oxford Button-Down",
            "Fleece Half-Zip",
            "Tailored Wool Blazer",
            "Recycled Down Parka",
            "Denim Chore Coat",
            "Cable-Knit Fisherman Sweater",
            "Rugby Shirt",
            "Linen Wide-Leg Trousers",
            "Striped Breton Top",
            "Shearling Collar Jacket",
        ],
        "adjectives": ["Gently worn", "As new", "Vintage feel", "Loved but solid", "Pristine"],
        "price": (25, 390),
    },
}
SELLER_NAMES = [
    "Avery",
    "Blake",
    "Casey",
    "Devon",
    "Emery",
    "Finley",
    "Harper",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noa",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Rowan",
    "Sage",
    "Skyler",
    "Tatum",
]
CITIES = [
    "Brooklyn, NY",
    "Austin, TX",
    "Portland, OR",
    "Chicago, IL",
    "Denver, CO",
    "Lyon, FR",
    "Berlin, DE",
    "Amsterdam, NL",
    "Leeds, UK",
    "Milan, IT",
    "Toronto, CA",
    "Seattle, WA",
]
# Weighted: most listings are live; some reserved, sold, withdrawn or still drafts.
STATUSES = ["ACTIVE"] * 10 + ["RESERVED"] * 2 + ["SOLD"] * 5 + ["WITHDRAWN", "DRAFT"]
CONDITIONS = ["NEW_WITH_TAGS", "LIKE_NEW", "LIKE_NEW", "GOOD", "GOOD", "GOOD", "FAIR"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def product_ids() -> list[str]:
    return [f"prd-{n:03d}" for n in range(1, PRODUCTS + 1)]


def seller_ids() -> list[str]:
    return [f"sel-{n:03d}" for n in range(1, SELLERS + 1)]


def listing_ids() -> list[str]:
    return [f"lst-{n:04d}" for n in range(1, LISTINGS + 1)]


def sellers(tenant_id: str) -> list[dict[str, Any]]:
    rng = random.Random(f"{tenant_id}/sellers")
    extra = random.Random(f"{tenant_id}/seller-custom")
    out = []
    for n, seller_id in enumerate(seller_ids()):
        name = f"{SELLER_NAMES[n % len(SELLER_NAMES)]} {chr(65 + (n * 7) % 26)}."
        joined = EPOCH - timedelta(days=rng.randint(30, 900))
        out.append(
            {
                "sellerId": seller_id,
                "displayName": name,
                "location": rng.choice(CITIES),
                "rating": Decimal(rng.randint(35, 50)) / 10,
                "joinedAt": iso(joined),
                "version": 1,
                "custom": _seller_custom(tenant_id, extra),
            }
        )
    return out


def _seller_custom(tenant_id: str, rng: random.Random) -> dict[str, Any]:
    if tenant_id == "kicks":
        return {
            "verified_reseller": rng.random() < 0.5,
            "payout_tier": rng.choice(["STANDARD", "STANDARD", "GOLD", "PLATINUM"]),
        }
    if tenant_id == "threads":
        return {"atelier": rng.random() < 0.3}
    return {}


def listings(tenant_id: str, catalog: str | None = None) -> list[dict[str, Any]]:
    spec = CATALOGS[catalog or tenant_id]
    rng = random.Random(f"{tenant_id}/listings")
    extra = random.Random(f"{tenant_id}/custom")  # its own stream: other fields stay put
    products = product_ids()
    sellers_ = seller_ids()
    out = []
    for n, listing_id in enumerate(listing_ids()):
        # Product 1 is the busiest: it has well over a page of listings.
        product_index = 0 if n % 5 == 0 else rng.randrange(len(products))
        product_name = spec["products"][product_index % len(spec["products"])]
        created = EPOCH + timedelta(minutes=n * 997 + rng.randint(0, 600))
        updated = created + timedelta(hours=rng.randint(0, 240))
        status = rng.choice(STATUSES)
        low, high = spec["price"]
        cents = rng.randint(low * 100, high * 100)
        out.append(
            {
                "listingId": listing_id,
                "sellerId": sellers_[(n * 7 + product_index) % len(sellers_)],
                "productId": products[product_index],
                "title": f"{rng.choice(spec['adjectives'])}: {product_name}",
                "description": f"{product_name}. Ships in 2 days; photos show the actual item.",
                "condition": rng.choice(CONDITIONS),
                "status": status,
                "statusShard": status_shard(status, listing_id),
                "price": {"amount": Decimal(cents) / 100, "currency": spec["currency"]},
                "images": [
                    {
                        "url": f"https://img.example.com/{tenant_id}/{listing_id}/{i}.jpg",
                        "alt": f"{product_name}, photo {i}",
                        "width": 1200,
                        "height": 1200,
                    }
                    for i in range(1, rng.randint(2, 4))
                ],
                "createdAt": iso(created),
                "updatedAt": iso(updated),
                "version": 1,
                "updatedBy": "seed",
                "custom": CUSTOM_LISTING.get(catalog or tenant_id, _none)(
                    extra, n, product_name, cents
                ),
            }
        )
    return out


# Custom field values in their stored form (graph/extensions/values.py), matching the
# demo extensions in tenants/extensions/.


def _none(*_: Any) -> dict[str, Any]:
    return {}


def _kicks_listing(rng: random.Random, n: int, product: str, cents: int) -> dict[str, Any]:
    custom: dict[str, Any] = {
        "size": Decimal(rng.randrange(14, 27)) / 2,
        "colorway": product.split("'")[1] if "'" in product else "Original",
        "box_included": rng.random() < 0.7,
        "release_date": iso(
            datetime(1985 + rng.randrange(40), 1 + rng.randrange(12), 1, tzinfo=UTC)
        ),
        "purchase_price": (Decimal(cents) / 100 * Decimal(rng.randint(45, 110)) / 100).quantize(
            Decimal("0.01")
        ),
        "shopify": json.dumps(
            {"productId": f"gid://shopify/Product/{7000 + n}", "variantId": f"v{n}"},
            separators=(",", ":"),
            sort_keys=True,
        ),
    }
    grade = rng.choice(["VERIFIED", "VERIFIED", "UNVERIFIED", None])
    if grade:  # otherwise the declared default (PENDING) applies
        custom["authenticity_grade"] = grade
    return custom


def _threads_listing(rng: random.Random, n: int, product: str, cents: int) -> dict[str, Any]:
    return {
        "fabric": rng.choice(["COTTON", "WOOL", "LINEN", "CASHMERE", "SILK", "DENIM"]),
        "size_label": rng.choice(["XS", "S", "M", "L", "XL"]),
        "measurements": {
            "chest": Decimal(rng.randint(88, 124)),
            "length": Decimal(rng.randint(60, 80)),
            "sleeve": Decimal(rng.randint(58, 68)),
        },
        "country_of_origin": rng.choice(["PT", "IT", "GB", "JP", "TR", "FR"]),
        "care": rng.choice([["Machine wash 30°C"], ["Hand wash", "Dry flat"], ["Dry clean"]]),
        "commercetools": json.dumps(
            {"sku": f"TL-{n:05d}", "channel": "eu-store"}, separators=(",", ":"), sort_keys=True
        ),
    }


CUSTOM_LISTING = {"kicks": _kicks_listing, "threads": _threads_listing}


def dataset(tenant_id: str, catalog: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """`{"listings": [...], "sellers": [...]}` for one tenant; `catalog` picks the brand
    flavour (kicks or threads), defaulting to the tenant's own id."""
    return {"listings": listings(tenant_id, catalog), "sellers": sellers(tenant_id)}
