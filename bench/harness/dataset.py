"""The fixed benchmark dataset and the temporary tenant registries.

The data is the demo dataset (graph/local/demo.py) plus 100 more listings of the busiest
product, so that `prd-001` has more than a full page of 100 (176 listings over 32
sellers). Everything is deterministic: every run reads the same items.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness.graph_store import status_shard
from bench.harness.queries import PRODUCT_ID as PRODUCT_ID
from bench.harness.queries import SELLER_ID as SELLER_ID
from bench.harness.tenants import STAGE as STAGE
from graph.local import demo
from graph.registry.tenants import hash_secret

EXTRA_LISTINGS = 100
#: Tenant A is the one every benchmark reads. Its limits are raised so the benchmarks
#: measure the gateway's capacity, not its per-tenant rate limiter.
TENANT_A = "bench-a"
#: The quiet neighbour of bench 6: its cost bucket is raised so that its own
#: back-to-back probes are never throttled; its concurrency cap is the default.
TENANT_B = "bench-b"
#: The noisy neighbour of bench 6, with the default limits a tenant gets.
TENANT_NOISY = "bench-noisy"
#: Bench 6 again, with a fifth of the default cost bucket: what a tighter limit buys B.
TENANT_TIGHT = "bench-tight"
TIGHT_COST_PER_SECOND = 2_000
TENANTS = [TENANT_A, TENANT_B, TENANT_NOISY, TENANT_TIGHT]
UNLIMITED = 1_000_000_000
LIMITS: dict[str, dict[str, int]] = {
    TENANT_A: {"cost_per_second": UNLIMITED, "cost_burst": UNLIMITED, "max_concurrency": 10_000},
    TENANT_B: {"cost_per_second": UNLIMITED, "cost_burst": UNLIMITED},
    TENANT_TIGHT: {
        "cost_per_second": TIGHT_COST_PER_SECOND,
        "cost_burst": 2 * TIGHT_COST_PER_SECOND,
    },
}


def dataset(tenant_id: str) -> dict[str, list[dict[str, Any]]]:
    data = demo.dataset(tenant_id, "kicks")
    listings = data["listings"]
    base = [item for item in listings if item["productId"] == PRODUCT_ID]
    sellers = demo.seller_ids()
    counts: dict[str, int] = {}
    for listing in listings:
        counts[listing["sellerId"]] = counts.get(listing["sellerId"], 0) + 1
    for n in range(EXTRA_LISTINGS):
        item = copy.deepcopy(base[n % len(base)])
        listing_id = f"lst-{2001 + n:04d}"
        created = datetime.fromisoformat(item["createdAt"]) + timedelta(days=400, minutes=n)
        seller_id = sellers[(n * 5) % len(sellers)]
        item.update(
            listingId=listing_id,
            sellerId=seller_id,
            createdAt=demo.iso(created),
            updatedAt=demo.iso(created + timedelta(hours=3)),
            statusShard=status_shard(item["status"], listing_id),
        )
        for i, image in enumerate(item["images"], start=1):
            image["url"] = f"https://img.example.com/{tenant_id}/{listing_id}/{i}.jpg"
        listings.append(item)
        counts[seller_id] = counts.get(seller_id, 0) + 1
    for seller in data["sellers"]:
        if "listingsCount" in seller:  # older demo data kept a count on the seller
            seller["listingsCount"] = counts.get(seller["sellerId"], 0)
    return data


# -- registries --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    secret: str
    scopes: tuple[str, ...]

    @property
    def raw(self) -> str:
        return f"rg_{self.key_id}_{self.secret}"


def tenant_keys(tenant_id: str) -> tuple[ApiKey, ApiKey]:
    """Two keys per tenant (read, write), with known secrets."""
    compact = tenant_id.replace("-", "")
    return (
        ApiKey(f"{tenant_id}-read", f"{compact}BenchReadSecret01", ("read",)),
        ApiKey(f"{tenant_id}-write", f"{compact}BenchWriteSecret01", ("write",)),
    )


def read_key(tenant_id: str) -> str:
    return tenant_keys(tenant_id)[0].raw


def tenant_toml(tenant_id: str, limits: dict[str, int] | None = None) -> str:
    lines = [
        "# Written by the benchmark (bench/harness/dataset.py); deleted after the run.",
        f'id = "{tenant_id}"',
        f'name = "Bench tenant {tenant_id}"',
        'region = "us-east-1"',
        "origins = []",
    ]
    for key in tenant_keys(tenant_id):
        scopes = ", ".join(f'"{s}"' for s in key.scopes)
        lines += [
            "",
            "[[keys]]",
            f'id = "{key.key_id}"',
            f'sha256 = "{hash_secret(key.secret)}"',
            f"scopes = [{scopes}]",
            'stages = ["dev", "test"]',
            'label = "benchmark key"',
        ]
    if limits:
        lines += ["", "[limits]", *(f"{name} = {value}" for name, value in limits.items())]
    return "\n".join(lines) + "\n"


def write_registry(
    tenants_dir: Path, tenant_ids: list[str], limits: dict[str, dict[str, int]] | None = None
) -> Path:
    """Write `<tenants_dir>/registry/<id>.toml` for each tenant; return `tenants_dir`."""
    folder = tenants_dir / "registry"
    folder.mkdir(parents=True, exist_ok=True)
    (tenants_dir / "extensions").mkdir(exist_ok=True)
    for tenant_id in tenant_ids:
        text = tenant_toml(tenant_id, (limits or {}).get(tenant_id))
        (folder / f"{tenant_id}.toml").write_text(text)
    return tenants_dir


def scale_tenant_ids(count: int) -> list[str]:
    return [f"scale-{n:05d}" for n in range(1, count + 1)]


def listing_ids(count: int) -> list[str]:
    return [f"lst-{n:04d}" for n in range(1, count + 1)]
