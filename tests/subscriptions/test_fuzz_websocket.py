"""The schemathesis documents of tests/http/test_fuzz.py, sent over the WebSocket as
`subscribe` messages to the served app: no masked internal error, no leak, and every
answer is a protocol message or a coded close (never an ERROR log line)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import pytest
import schemathesis
from graphql import get_introspection_query
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from graph.registry.tenants import load_registry
from graph.settings import Settings
from tests.conftest import raw_key
from tests.http.test_fuzz import ALWAYS_FORBIDDEN, FUZZ_EXAMPLES, FUZZ_SEED
from tests.limits.test_limits import gateway_with
from tests.routes.test_websocket import serve
from tests.subscriptions.test_door import Errors, errors

__all__ = ["errors"]  # the fixture, used by name below
WAIT = 10.0
CODED = {4400, 4408, 4409, 4429, 4000, 4403}


class Socket:
    """One authenticated connection, opened again after a coded close."""

    def __init__(self, url: str, key: str) -> None:
        self.url, self.key = url, key
        self.ws: ClientConnection | None = None

    def open(self) -> ClientConnection:
        if self.ws is None:
            ws = connect(self.url, subprotocols=["graphql-transport-ws"], max_size=None)  # type: ignore[list-item]
            ws.send(json.dumps({"type": "connection_init", "payload": {"apiKey": self.key}}))
            assert json.loads(ws.recv(WAIT))["type"] == "connection_ack"
            self.ws = ws
        return self.ws

    def run(self, op: str, document: str) -> list[dict[str, Any]] | int:
        """The messages for one operation (until complete/error), or the close code."""
        ws = self.open()
        ws.send(json.dumps({"id": op, "type": "subscribe", "payload": {"query": document}}))
        got: list[dict[str, Any]] = []
        try:
            while True:
                message = json.loads(ws.recv(WAIT))
                if message.get("id") != op:
                    continue
                if message["type"] == "complete":
                    return got
                got.append(message)
                if message["type"] == "error":
                    return got
                if message["type"] == "next" and len(got) >= 1:
                    # a subscription: one answer is enough; stop it
                    ws.send(json.dumps({"id": op, "type": "complete"}))
                    return got
        except ConnectionClosed as closed:
            self.ws = None
            return closed.rcvd.code if closed.rcvd is not None else -1
        except TimeoutError:
            return got  # a subscription waiting for changes: nothing wrong with it


def codes_of(messages: list[dict[str, Any]]) -> list[str]:
    found = []
    for message in messages:
        payload = message.get("payload")
        errors = payload if message["type"] == "error" else (payload or {}).get("errors") or []
        found += [str((e.get("extensions") or {}).get("code")) for e in errors]
    return found


async def test_generated_documents_over_the_websocket(
    ddb: Any, settings: Settings, errors: Errors, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = load_registry(settings.tenants_dir, settings.stage)
    limits = {tenant_id: tenant.limits for tenant_id, tenant in registry.tenants.items()}
    tenant_id = sorted(limits)[0]
    async with gateway_with(ddb, settings, limits) as gw:
        forbidden = (*ALWAYS_FORBIDDEN, *(n for t in gw.tenants.values() for n in t.tables.all()))
        introspection = await gw.gql(get_introspection_query(), tenant=tenant_id, scope="admin")
        schema = schemathesis.graphql.from_dict(introspection)
        server, serving, url = await serve(gw.app)
        outcomes: Counter[str] = Counter()
        socket = Socket(url, raw_key(tenant_id, "admin"))
        strategy = st.one_of(
            schema.as_strategy(GenerationMode.POSITIVE),
            schema.as_strategy(GenerationMode.NEGATIVE),
        )

        @hypothesis_settings(
            max_examples=FUZZ_EXAMPLES,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            outcomes["sent"] += 1
            answer = socket.run(str(outcomes["sent"]), case.body)
            if isinstance(answer, int):
                assert answer in CODED, f"closed with {answer} for {case.body[:300]}"
                outcomes[f"close {answer}"] += 1
                return
            text = json.dumps(answer)
            for word in forbidden:
                assert word not in text, f"{word!r} in {text[:300]}"
            codes = codes_of(answer)
            assert "INTERNAL_SERVER_ERROR" not in codes, text[:500]
            outcomes.update(codes or ["ok"])

        try:
            if FUZZ_SEED != "random":
                run = seed(int(FUZZ_SEED))(run)
            await asyncio.to_thread(run)
        finally:
            if socket.ws is not None:
                await asyncio.to_thread(socket.ws.close)
            server.should_exit = True
            await serving
    with capsys.disabled():  # shown in `make test` output, as tests/http/test_fuzz.py's
        print(f"\nschemathesis over WebSocket ({tenant_id}): {dict(outcomes.most_common())}")
    assert outcomes["sent"] >= FUZZ_EXAMPLES
    assert outcomes["INTERNAL_SERVER_ERROR"] == 0
    assert [r.getMessage() for r in errors.records] == []
