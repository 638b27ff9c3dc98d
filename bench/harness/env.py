"""The benchmark's own stack: DynamoDB Local, the dataset, a temp registry, gateways.

Everything starts on first use (so `--only field_cost` starts nothing) and stops in
`close()`. Gateways run under uvicorn in separate processes, configured as a user
would deploy them: `uvicorn graph.app:create_app --factory`, one worker, no reload,
log level warning, configured only through `GRAPH_*` environment variables.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness.budget import Budget
from bench.harness.dataset import (
    LIMITS,
    STAGE,
    TENANT_A,
    TENANTS,
    dataset,
    read_key,
    write_registry,
)
from bench.harness.procinfo import die_with_parent
from bench.harness.progress import say

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Gateway:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass(frozen=True)
class Tables:
    listings: str
    sellers: str


class BenchEnv:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.root = ROOT
        self.workdir = Path(tempfile.mkdtemp(prefix="resale-bench-"))
        self._dynamodb: Any = None  # graph.local.dynamodb_local.RunningDynamoDB
        self._tenants_dir: Path | None = None
        self._gateways: dict[str, Gateway] = {}
        #: Set when DynamoDB Local or the data failed: later benchmarks fail fast with it.
        self._broken: Exception | None = None

    # -- DynamoDB Local and the data -------------------------------------------------

    @property
    def dynamodb_endpoint(self) -> str:
        if self._dynamodb is None:
            self._start_dynamodb()
        endpoint: str = self._dynamodb.endpoint
        return endpoint

    def ensure_data(self) -> str:
        """Start DynamoDB Local and load the data now (not from inside an event loop)."""
        return self.dynamodb_endpoint

    @property
    def dynamodb_pid(self) -> int:
        _ = self.dynamodb_endpoint
        pid: int = self._dynamodb.pid
        return pid

    def _start_dynamodb(self) -> None:
        from graph.local import dynamodb_local

        if self._broken is not None:
            raise RuntimeError(f"DynamoDB Local or the data failed earlier: {self._broken}")
        say("starting DynamoDB Local (in memory) ...")
        running = dynamodb_local.start()
        say(f"  DynamoDB Local at {running.endpoint} (pid {running.pid})")
        started = time.perf_counter()
        try:
            counts = asyncio.run(self._load_data(running.endpoint))
        except Exception as exc:
            self._broken = exc
            dynamodb_local.stop(running.pid)
            raise
        self._dynamodb = running
        say(f"  loaded {counts} in {time.perf_counter() - started:.1f}s")

    async def _load_data(self, endpoint: str) -> str:
        from bench.harness.graph_store import create_tables, open_dynamodb, put_items
        from graph.registry.tenants import load_registry
        from graph.settings import Settings

        registry = load_registry(self.tenants_dir, STAGE)
        settings = Settings(stage=STAGE, dynamodb_endpoint=endpoint)
        loaded = []
        async with open_dynamodb(settings) as client:
            for tenant in registry.tenants.values():
                await create_tables(client, tenant.tables)
                data = dataset(tenant.id)
                listings = await put_items(client, tenant.tables.listings, data["listings"])
                sellers = await put_items(client, tenant.tables.sellers, data["sellers"])
                loaded.append(f"{tenant.id}: {listings} listings, {sellers} sellers")
        return "; ".join(loaded)

    def tables(self, tenant_id: str = TENANT_A) -> Tables:
        from bench.harness.graph_store import physical_table_names

        names = physical_table_names(STAGE, tenant_id)
        return Tables(listings=names["listings"], sellers=names["sellers"])

    # -- the registry ----------------------------------------------------------------------

    @property
    def tenants_dir(self) -> Path:
        """A temp tenants folder with the bench tenants (bench/harness/dataset.py)."""
        if self._tenants_dir is None:
            self._tenants_dir = write_registry(self.workdir / "tenants", TENANTS, LIMITS)
        return self._tenants_dir

    def base_env(self, **extra: str) -> dict[str, str]:
        """This process's environment without any GRAPH_* variable, plus `extra`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_")}
        env.update(GRAPH_STAGE=STAGE, PYTHONDONTWRITEBYTECODE="1")
        env.update(extra)
        return env

    def gateway_env(self, **extra: str) -> dict[str, str]:
        """What a deployed gateway gets: stage, DynamoDB endpoint, tenants folder."""
        return self.base_env(
            GRAPH_DYNAMODB_ENDPOINT=self.dynamodb_endpoint,
            GRAPH_TENANTS_DIR=str(self.tenants_dir),
            **extra,
        )

    # -- gateways ---------------------------------------------------------------------------

    def gateway(self) -> Gateway:
        """The gateway as deployed: `uvicorn graph.app:create_app --factory`."""
        return self._gateway("gateway", "graph.app:create_app")

    def other_gateway(self) -> Gateway:
        """A second gateway process like `gateway()` (same tenants, same DynamoDB Local):
        the noisy-neighbour bench floods it to measure what the machine alone costs B."""
        return self._gateway("other gateway", "graph.app:create_app")

    def photo_gateway(self, s3_endpoint: str) -> Gateway:
        """The gateway as deployed, with a local S3 server for listing photos."""
        return self._gateway(
            "photos gateway", "graph.app:create_app", {"GRAPH_S3_ENDPOINT": s3_endpoint}
        )

    def naive_gateway(self) -> Gateway:
        """The same gateway with DataLoaders off. The app has no env switch for that, so a
        bench-owned factory (bench/harness/servers.py) builds `Runtime(..., batching=False)` and
        otherwise follows create_app's default path; uvicorn runs it the same way."""
        return self._gateway("loaders-off", "bench.harness.servers:create_naive_app")

    def handwritten_http(self) -> Gateway:
        """The hand-written Starlette + aioboto3 endpoint (bench/baselines/http_app.py),
        served by uvicorn exactly like the gateway. Its URL is the projected page; add
        `/no-projection` for the whole-item variant."""
        return self._gateway(
            "hand-written", "bench.baselines.http_app:create_app", self.handwritten_env()
        )

    def handwritten_env(self) -> dict[str, str]:
        """What the hand-written endpoints (HTTP and Lambda) need beyond `GRAPH_*`: the
        main tenant's tables and read key (bench/baselines/endpoint.py)."""
        tables = self.tables(TENANT_A)
        return {
            "BENCH_LISTINGS_TABLE": tables.listings,
            "BENCH_SELLERS_TABLE": tables.sellers,
            "BENCH_API_KEY": read_key(TENANT_A),
        }

    def _gateway(self, name: str, factory: str, extra: dict[str, str] | None = None) -> Gateway:
        running = self._gateways.get(name)
        if running is not None and running.proc.poll() is None:
            return running
        from graph.local.dynamodb_local import free_port

        port = free_port()
        log_path = self.workdir / f"{name}.log"
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            factory,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            "1",
        ]
        say(f"starting {name}: {' '.join(cmd[2:])}")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=self.root,
                env=self.gateway_env(**(extra or {})),
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )
        gateway = Gateway(name, proc, port, log_path)
        self._wait_healthy(gateway)
        self._gateways[name] = gateway
        say(f"  {name} ready at {gateway.url} (pid {gateway.pid})")
        return gateway

    def _wait_healthy(self, gateway: Gateway, timeout: float = 30.0) -> None:
        url = f"http://127.0.0.1:{gateway.port}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if gateway.proc.poll() is not None:
                raise RuntimeError(
                    f"{gateway.name} exited with {gateway.proc.returncode}:\n{gateway.log_tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        self.stop_gateway(gateway.name)
        raise RuntimeError(f"{gateway.name} did not answer /healthz in {timeout}s")

    def stop_gateway(self, name: str) -> None:
        gateway = self._gateways.pop(name, None)
        if gateway is None or gateway.proc.poll() is not None:
            return
        gateway.proc.terminate()
        try:
            gateway.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            gateway.proc.kill()
            gateway.proc.wait()
        say(f"stopped {name} (pid {gateway.pid})")

    def close(self) -> None:
        for name in list(self._gateways):
            with contextlib.suppress(Exception):
                self.stop_gateway(name)
        if self._dynamodb is not None:
            from graph.local import dynamodb_local

            dynamodb_local.stop(self._dynamodb.pid)
            say(f"stopped DynamoDB Local (pid {self._dynamodb.pid})")
            self._dynamodb = None
        shutil.rmtree(self.workdir, ignore_errors=True)
