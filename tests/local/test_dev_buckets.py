"""`graph dev`'s registry watcher gives a tenant added while the stack runs its photo
bucket, and keeps every bucket's CORS equal to its tenant's origins (issue 27)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from graph.local.dev import RegistryWatcher
from graph.registry.tenants import load_registry
from graph.settings import Settings
from graph.store import delete_tables, open_s3


def entry(tenant_id: str, run: str, origins: list[str]) -> str:
    tables = "".join(f'{n} = "{run}-{tenant_id}-{n}"\n' for n in ("listings", "sellers", "history"))
    quoted = ", ".join(f'"{o}"' for o in origins)
    head = f'id = "{tenant_id}"\nname = "{tenant_id.title()}"\norigins = [{quoted}]\n'
    return f"{head}[tables]\n{tables}"


async def eventually(check: Callable[[], Any], seconds: float = 30.0) -> Any:
    """`check()`'s answer once it stops raising (the watcher polls every 0.1 s)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return await check()
        except (ClientError, AssertionError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_a_tenant_added_while_dev_runs_gets_its_bucket_and_cors(
    ddb: Any, settings: Settings, s3_endpoint: str, tmp_path: Path
) -> None:
    run = f"w{uuid.uuid4().hex[:8]}"
    registry = tmp_path / "tenants" / "registry"
    registry.mkdir(parents=True)
    (tmp_path / "tenants" / "extensions").mkdir()
    (registry / "base.toml").write_text(entry("base", run, []))
    conf = settings.model_copy(
        update={"tenants_dir": tmp_path / "tenants", "s3_endpoint": s3_endpoint}
    )
    lines: list[str] = []
    watcher = RegistryWatcher(conf, lines.append, interval=0.1)
    watcher.start()
    try:
        async with open_s3(conf) as s3:
            (registry / "newco.toml").write_text(entry("newco", run, ["https://newco.example"]))
            newco = f"{run}-newco-photos"

            cors = await eventually(lambda: s3.get_bucket_cors(Bucket=newco))
            assert cors["CORSRules"][0]["AllowedOrigins"] == ["https://newco.example"]

            async def tables_active() -> None:  # made after the bucket, in the same pass
                tables = await ddb.describe_table(TableName=f"{run}-newco-listings")
                assert tables["Table"]["TableStatus"] == "ACTIVE"

            await eventually(tables_active)

            # An origin added later (`graph tenants origins add`) reaches the bucket too.
            origins = ["https://newco.example", "https://m.newco.example"]
            (registry / "newco.toml").write_text(entry("newco", run, origins))

            async def widened() -> None:
                rules = (await s3.get_bucket_cors(Bucket=newco))["CORSRules"]
                assert rules[0]["AllowedOrigins"] == origins

            await eventually(widened)
    finally:
        watcher.close()
        for tenant in load_registry(conf.tenants_dir, conf.stage).tenants.values():
            await delete_tables(ddb, tenant.tables)
    assert not any("could not prepare" in line for line in lines), lines
