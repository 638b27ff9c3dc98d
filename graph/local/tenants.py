"""Every registered tenant's tables (with its shop indexes) and photo bucket, created if
missing, and demo data with photos for the demo tenants: what `graph dev` and `graph seed`
prepare before serving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DEMO_TENANTS = frozenset({"kicks", "threads"})


async def prepare_tenants(
    client: Any, settings: Any, say: Callable[[str], None], *, seed: str = "new", s3: Any = None
) -> None:
    """Create every registered tenant's tables; load demo data into the demo tenants'
    tables: `seed="new"` only into tables just created, `"always"` every time (`graph
    seed`), `"never"` not at all."""
    from graph.extensions import indexed_fields
    from graph.extensions.parser import load_spec
    from graph.local import demo, demo_photos
    from graph.registry.tenants import load_registry
    from graph.store import (
        IndexedField,
        create_bucket,
        create_tables,
        put_items,
        with_shop_attributes,
    )

    registry = load_registry(settings.tenants_dir, settings.stage)
    photos: list[Any] = []  # drawn and processed once, when a demo tenant is seeded
    for tenant in registry.tenants.values():
        if s3 is not None:
            # Created if missing; its read policy and its CORS (the tenant's origins, as
            # the registry says now) set again, so an origin added later reaches it.
            await create_bucket(s3, tenant.photos_bucket, origins=tenant.config.origins)
        # The shop's indexes of the tenant's `indexed` fields (graph/store/tables.py).
        indexed = IndexedField.of(indexed_fields(load_spec(settings.tenants_dir, tenant.id)))
        outcome = await create_tables(client, tenant.tables, indexed=indexed)
        created = sum(1 for v in outcome.values() if v == "created")
        fresh = created == len(outcome)
        line = f"  {tenant.id}: tables ready ({created} created, {len(outcome) - created} kept)"
        demo_tenant = tenant.id in DEMO_TENANTS and tenant.id in demo.CATALOGS
        if demo_tenant and (seed == "always" or (seed == "new" and fresh)):
            data = demo.dataset(tenant.id, tenant.id)
            if s3 is not None:
                photos = photos or demo_photos.demo_photos()
                await demo_photos.attach_demo_photos(s3, tenant, data["listings"], photos)
            items = [with_shop_attributes(item, indexed) for item in data["listings"]]
            listings = await put_items(client, tenant.tables.listings, items)
            sellers = await put_items(client, tenant.tables.sellers, data["sellers"])
            line += f"; demo data loaded ({listings} listings, {sellers} sellers)"
        elif demo_tenant and seed == "new":
            line += "; data kept from the last run (`make dev-reset` starts over)"
        say(line)


async def prepare_with_clients(
    settings: Any, say: Callable[[str], None], *, seed: str = "new"
) -> None:
    """`prepare_tenants` with a DynamoDB and an S3 client opened for it (`graph dev`'s
    start, and its registry watcher: a tenant added while it runs gets its bucket)."""
    from graph.store import open_dynamodb, open_s3

    async with open_dynamodb(settings) as client, open_s3(settings) as s3:
        await prepare_tenants(client, settings, say, seed=seed, s3=s3)
