"""Bench: the case study's load shape (issue 27): per listing created, two ~2 MB photos
staged, posted straight to the local S3 server, and attached.

One gateway process (uvicorn, as deployed) with a local S3 server (SeaweedFS). Each
round stages two uploads, posts both files as a browser form does, then creates the
listing with them; the gateway's CPU is read from /proc around the two GraphQL requests
only (the posts go to S3, not to the gateway). Baseline, same process and run: the same
create without photos. Reported: creates per second of one process (sequential, and the
CPU-bound ceiling 1 / CPU per create), the gateway's CPU per create, the bytes of the
GraphQL requests against the photo bytes, and the processing time per photo.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from bench.harness.dataset import STAGE, TENANT_A, tenant_keys
from bench.harness.env import BenchEnv
from bench.harness.graph_store import create_bucket, open_s3
from bench.harness.procinfo import proc_cpu_seconds
from bench.harness.progress import say
from bench.harness.results import Benchmark, BenchResult, Figure

STAGE_OP = """mutation($input: [StagePhotoUploadInput!]!) {
  stagePhotoUploads(input: $input) { uploads { uploadId url fields } userErrors { code } } }"""
CREATE_OP = """mutation($input: CreateListingInput!) {
  createListing(input: $input) { listing { id photos { width } } userErrors { code message } } }"""


def photo(seed: int) -> bytes:
    """A 12 MP JPEG of about 2 MB: gradients and grain, like a phone photo's size."""
    w, h = 4000, 3000
    bands = (
        Image.linear_gradient("L").resize((w, h)),
        Image.radial_gradient("L").resize((w, h)).rotate(seed * 7),
        Image.effect_noise((w, h), 40),
    )
    out = io.BytesIO()
    Image.merge("RGB", bands).save(out, "JPEG", quality=85)
    return out.getvalue()


def listing(photos: list[dict[str, str]] | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sellerId": "sel-001",
        "productId": "prd-001",
        "title": "Bench listing",
        "condition": "GOOD",
        "price": {"amount": "80.00", "currency": "EUR"},
    }
    if photos is not None:
        data["photos"] = photos
    return data


async def _rounds(url: str, pid: int, key: str, files: list[bytes], rounds: int) -> dict[str, Any]:
    headers = {"X-Api-Key": key}
    out: dict[str, list[float]] = {"cpu": [], "wall": [], "base_cpu": [], "base_wall": []}
    request_bytes: list[int] = []
    async with httpx.AsyncClient(timeout=60) as client:

        async def gql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            body = {"query": query, "variables": variables}
            response = await client.post(url, json=body, headers=headers)
            request_bytes.append(len(response.request.content))
            data: dict[str, Any] = response.json()
            if "errors" in data:
                raise RuntimeError(f"GraphQL errors: {data['errors']}")
            answer: dict[str, Any] = data["data"]
            return answer

        for n in range(rounds + 1):  # the first round warms up, unmeasured
            request_bytes.clear()
            cpu0, wall0 = proc_cpu_seconds(pid) or 0.0, time.perf_counter()
            wanted = [{"contentType": "image/jpeg", "byteSize": len(f)} for f in files]
            staged = await gql(STAGE_OP, {"input": wanted})
            cpu_stage = (proc_cpu_seconds(pid) or 0.0) - cpu0
            forms = staged["stagePhotoUploads"]["uploads"]
            posted = time.perf_counter()
            for form, data in zip(forms, files, strict=True):
                upload = {"file": ("p.jpg", data, "image/jpeg")}
                sent = await client.post(form["url"], data=form["fields"], files=upload)
                sent.raise_for_status()
            post_wall = time.perf_counter() - posted
            cpu1 = proc_cpu_seconds(pid) or 0.0
            attach = [{"uploadId": f["uploadId"], "alt": "x"} for f in forms]
            made = await gql(CREATE_OP, {"input": listing(attach)})
            cpu_create = (proc_cpu_seconds(pid) or 0.0) - cpu1
            errors = made["createListing"]["userErrors"]
            if errors:
                raise RuntimeError(f"create refused: {errors}")
            wall = time.perf_counter() - wall0 - post_wall
            base_cpu0, base0 = proc_cpu_seconds(pid) or 0.0, time.perf_counter()
            await gql(CREATE_OP, {"input": listing(None)})
            if n == 0:
                continue
            out["base_cpu"].append((proc_cpu_seconds(pid) or 0.0) - base_cpu0)
            out["base_wall"].append(time.perf_counter() - base0)
            out["cpu"].append(cpu_stage + cpu_create)
            out["wall"].append(wall)
    # CPU from /proc counts in clock ticks (10 ms): means over the rounds, not medians.
    return {
        "cpu": statistics.fmean(out["cpu"]),
        "base_cpu": max(statistics.fmean(out["base_cpu"]), 0.001),
        "wall": statistics.median(out["wall"]),
        "base_wall": statistics.median(out["base_wall"]),
        "request_bytes": sum(request_bytes[:2]),
    }


def run(env: BenchEnv) -> BenchResult:
    from graph.local import s3_local
    from graph.registry.tenants import load_registry
    from graph.settings import Settings

    result = BenchResult(NAME, TITLE)
    env.ensure_data()
    running = s3_local.start(data=Path(env.workdir) / "s3")
    try:
        tenant = load_registry(env.tenants_dir, STAGE).tenants[TENANT_A]
        settings = Settings(stage=STAGE, s3_endpoint=running.endpoint)

        async def bucket() -> None:
            async with open_s3(settings) as s3:
                await create_bucket(s3, tenant.photos_bucket)

        asyncio.run(bucket())
        gateway = env.photo_gateway(running.endpoint)
        files = [photo(1), photo(2)]
        rounds = 4 if env.budget.quick else 20
        say(f"  {rounds} creates with 2 photos of {len(files[0]) / 1e6:.1f} MB each ...")
        _, write = tenant_keys(TENANT_A)
        found = asyncio.run(_rounds(gateway.url, gateway.pid, write.raw, files, rounds))
    finally:
        env.stop_gateway("photos gateway")
        s3_local.stop(running.pid)
    result.details = {**found, "photo_bytes": [len(f) for f in files], "rounds": rounds}
    per_photo = (found["cpu"] - found["base_cpu"]) / 2
    without = "create without photos"
    cpu, base = found["cpu"], found["base_cpu"]
    result.figures += [
        Figure("create + 2 photos: gateway CPU", cpu * 1e3, "ms", base * 1e3, without),
        Figure(
            "create + 2 photos: wall, sequential",
            found["wall"] * 1e3,
            "ms",
            found["base_wall"] * 1e3,
            without,
        ),
        Figure("creates/s, one process, CPU-bound", 1 / cpu, "/s", 1 / base, without, "higher"),
        Figure("processing per 2 MB photo: gateway CPU", per_photo * 1e3, "ms"),
        Figure(
            "GraphQL request bytes per create",
            found["request_bytes"],
            "bytes",
            sum(len(f) for f in files),
            "the two photos' bytes",
        ),
    ]
    result.notes.append(
        "photo bytes go browser -> S3; the gateway reads each staged file once from S3 "
        "(its size) to decode it, and writes ~4 renditions; CPU from /proc of the gateway."
    )
    return result


NAME = "photo_creates"
TITLE = "Listing creates with two 2 MB photos (staged, posted to S3, attached)"
BENCHMARK = Benchmark(NAME, TITLE, run)
