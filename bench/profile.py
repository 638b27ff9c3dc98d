"""Profile the README's product page in-process with cProfile (not part of `make bench`):

    .venv/bin/python -m bench.profile [--first 100] [--requests 200] [--top 25]
    .venv/bin/python -m bench.profile --cold [--target lambda|handwritten] [--top 25]
    .venv/bin/python -m bench.profile --layers [--rounds 5] [--requests 100]

`--cold` profiles one cold start instead: a fresh process (bench/children/cold_start.py,
as `make bench` spawns it) imports the Lambda handler's module and answers its first
invocation under cProfile.

`--layers` times the parts of a warm Lambda page apart instead, without a profiler
(bench/children/layers.py, a fresh process): the page, the hand-written handler with
the gateway's item parser, the envelope (a refused invocation), `schema.execute`, the
two DynamoDB calls through the store, the log line and EMF, authentication,
`resolved_fields`, orjson; CPU per call, medians of interleaved rounds.

Starts its own DynamoDB Local and data, serves the app through httpx's ASGITransport
(the client side is in the profile too: read the app's rows), and prints where the
time goes: by package (self time), then the costliest functions. Both profiles count
CPU time (`time.process_time`), not wall time: on a shared machine a wall-clock profile
charges other processes' turns on the core to whatever call was waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench.harness.budget import Budget
from bench.harness.dataset import STAGE, TENANT_A, read_key
from bench.harness.env import ROOT, BenchEnv
from bench.harness.progress import say
from bench.harness.queries import PRODUCT_PAGE, product_page_variables
from bench.harness.report import quiet_stdout, restore_stdout

_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()


def package_of(filename: str) -> str:
    """`strawberry`, `botocore`, `graph.schema`, `stdlib:asyncio`, `builtins`, ..."""
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    path = Path(filename).resolve()
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if path.is_relative_to(ROOT):
        rel = path.relative_to(ROOT).with_suffix("").parts
        return ".".join(rel[:2]) if rel[0] == "graph" and len(rel) > 2 else ".".join(rel[:1])
    if path.is_relative_to(_STDLIB):
        return "stdlib:" + path.relative_to(_STDLIB).with_suffix("").parts[0]
    return "other"


async def _profile(env: BenchEnv, first: int, requests: int) -> pstats.Stats:
    from graph.app import create_app
    from graph.registry.tenants import load_registry
    from graph.settings import Settings
    from graph.tenancy.runtime import Runtime

    settings = Settings(stage=STAGE, dynamodb_endpoint=env.dynamodb_endpoint)
    registry = load_registry(env.tenants_dir, STAGE)
    payload = {"query": PRODUCT_PAGE, "variables": product_page_variables(first)}
    headers = {"x-api-key": read_key(TENANT_A)}
    # The runtime opens its own client, as a deployed gateway does (its settings differ
    # from a plain `open_dynamodb`: no client-side request validation).
    runtime = Runtime(settings, registry)
    try:
        app = create_app(runtime=runtime, manage_client=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for _ in range(20):
                (await http.post("/graphql", json=payload, headers=headers)).raise_for_status()
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(requests):
                await http.post("/graphql", json=payload, headers=headers)
            profiler.disable()
    finally:
        await runtime.aclose()
    return pstats.Stats(profiler)


def report(stats: pstats.Stats, top: int) -> str:
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    by_package: dict[str, float] = {}
    for (filename, _line, _name), entry in raw.items():
        package = package_of(filename)
        by_package[package] = by_package.get(package, 0.0) + entry[2]
    lines = [f"self time by package (total {total:.2f}s):"]
    for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * seconds / total:5.1f}%  {seconds:7.3f}s  {package}")
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return "\n".join(lines) + "\n" + out.getvalue()


def _profile_cold(env: BenchEnv, target: str) -> pstats.Stats:
    from bench.benchmarks.cold_start import compile_sources, one_sample

    compile_sources(env)
    out = env.workdir / f"cold-{target}.prof"
    sample = one_sample(env, target, BENCH_COLD_PROFILE=str(out))
    say(
        f"  {target}: import {sample['import_s'] * 1000:.0f} ms, first invocation "
        f"{sample['first_request_s'] * 1000:.0f} ms (both under cProfile)"
    )
    return pstats.Stats(str(out))


def _layers(env: BenchEnv, rounds: int, count: int) -> str:
    from bench.harness.dataset import TENANT_A
    from bench.harness.procinfo import run_child

    found = run_child(
        "bench.children.layers",
        [str(rounds), str(count)],
        cwd=env.root,
        env=env.gateway_env(GRAPH_TENANT_ID=TENANT_A, **env.handwritten_env()),
        what="the layers of a warm page",
    )
    lines = [f"CPU us per call, medians of {rounds} rounds of {count} (warm Lambda, in-process):"]
    for size, parts in found.items():
        lines.append(f"  {size}")
        lines += [f"    {value:8.0f}  {name}" for name, value in parts.items()]
        whole = parts["gateway page"] - parts["refused at the door (envelope)"]
        rest = whole - parts["schema.execute, fresh context"]
        graphql = parts["schema.execute, fresh context"] - parts["the two DynamoDB calls (store)"]
        lines.append(f"    {graphql:8.0f}  = schema.execute - the calls: GraphQL work")
        lines.append(f"    {rest:8.0f}  = page - envelope - schema.execute: view, admission")
        ratio = parts["gateway page"] / parts["hand-written, item parser"]
        lines.append(f"    x{ratio:.2f}  gateway page / hand-written, item parser")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--first", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cold", action="store_true", help="profile one cold start")
    parser.add_argument("--target", default="lambda", choices=("lambda", "handwritten"))
    parser.add_argument("--layers", action="store_true", help="time a warm page's parts")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    env = BenchEnv(Budget.quick_run())
    real_stdout = quiet_stdout()  # the app's per-request log lines (still profiled)
    try:
        env.ensure_data()
        if args.layers:
            say(f"timing the parts of a warm page ({args.rounds} rounds) ...")
            text = _layers(env, args.rounds, args.requests)
        elif args.cold:
            say(f"profiling one cold start of {args.target} in a fresh process ...")
            text = report(_profile_cold(env, args.target), args.top)
        else:
            say(f"profiling {args.requests} product pages (N={args.first}) in-process ...")
            text = report(asyncio.run(_profile(env, args.first, args.requests)), args.top)
    finally:
        env.close()
        restore_stdout(real_stdout)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
