"""The runtime's one DynamoDB client: item reads through graph/store/parser.py, no
client-side check of requests the store built (DynamoDB validates every request), and
botocore's User-Agent built once, not twice per call; the client's service model frozen
out of the garbage collector's full passes, like the audit consumer's."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.useragent import UserAgentString
from botocore.validate import ParamValidationDecorator

from graph.audit.consumer import AuditConsumer
from graph.registry.tenants import Registry
from graph.settings import Settings
from graph.store import ItemReadParser
from graph.tenancy.runtime import Runtime


async def test_the_runtime_client_leaves_request_checks_to_dynamodb(settings: Settings) -> None:
    runtime = Runtime(settings, Registry([], settings.stage))
    try:
        client = await runtime.client()
        assert client is await runtime.client()  # one per process (and account)
        # botocore wraps a validating client's serializer; the runtime's is the bare one
        assert not isinstance(client._serializer, ParamValidationDecorator)
        parsers = client._endpoint._response_parser_factory
        assert isinstance(parsers.create_parser("json"), ItemReadParser)
        # A request botocore would refuse reaches DynamoDB, which refuses it.
        with pytest.raises(ClientError) as refused:
            await client.get_item(TableName="no-such-table", Key={"id": {"S": 5}})
        assert refused.value.response["Error"]["Code"] in {
            "ValidationException",
            "SerializationException",
            "ResourceNotFoundException",
        }
    finally:
        await runtime.aclose()


async def test_the_runtime_client_builds_botocores_user_agent_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock = UserAgentString.to_string
    builds: list[str] = []

    def counted(self: UserAgentString) -> str:
        builds.append(stock(self))
        return builds[-1]

    monkeypatch.setattr(UserAgentString, "to_string", counted)
    runtime = Runtime(settings, Registry([], settings.stage))
    try:
        client = await runtime.client()
        builds.clear()
        sent: list[tuple[list[str], list[str]]] = []

        def capture(request: Any, **_: Any) -> None:
            # What stock botocore would put there now, in the call's own context.
            header = request.headers["User-Agent"]
            header = header.decode() if isinstance(header, bytes) else header
            sent.append((_parts(header), _parts(stock(client._user_agent_creator))))

        client.meta.events.register("before-send.dynamodb", capture)
        for _ in range(3):
            await client.list_tables(Limit=1)
        assert len(sent) == 3
        for header, expected in sent:
            # Powertools appends its own ids (`PT/...`) after botocore's, as it does to a
            # stock client's header.
            assert header[: len(expected)] == expected
            assert all(part.startswith("PT") for part in header[len(expected) :])
        assert sent[0][0][0].startswith("aiobotocore/")
        # Stock botocore builds it twice per call (6 here); the runtime's client once.
        assert len(builds) == 1
    finally:
        await runtime.aclose()


def _parts(user_agent: str) -> list[str]:
    """A User-Agent's components; the feature ids (`m/a,b`) sorted, since botocore
    joins them from a set."""
    return [
        "m/" + ",".join(sorted(part[2:].split(","))) if part.startswith("m/") else part
        for part in user_agent.split(" ")
    ]


def assert_out_of_full_collections(client: Any) -> None:
    """botocore's service model for DynamoDB is ~30k objects that live as long as the
    client; left in generation 2, every full collection walked them (~7 ms, in some
    request's latency, every ~50 product pages). graph/store/heap.py freezes them: tracked,
    but in none of the three generations gc.get_objects() lists (frozen objects are in
    the permanent one)."""
    model = client.meta.service_model._service_description
    assert gc.is_tracked(model)
    assert not any(o is model for o in gc.get_objects())


async def test_the_runtime_client_is_kept_out_of_full_collections(settings: Settings) -> None:
    runtime = Runtime(settings, Registry([], settings.stage))
    try:
        assert_out_of_full_collections(await runtime.client())
    finally:
        await runtime.aclose()


def test_the_audit_consumers_client_is_kept_out_of_full_collections(settings: Settings) -> None:
    consumer = AuditConsumer(settings, Registry([], settings.stage))
    try:
        assert_out_of_full_collections(consumer._submit(consumer._get_client()).result(30))
    finally:
        consumer.close()
