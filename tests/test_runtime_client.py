"""The runtime's one DynamoDB client: item reads through graph/store/parser.py, and no
client-side check of requests the store built (DynamoDB validates every request)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidationDecorator

from graph.runtime import Runtime
from graph.settings import Settings
from graph.store import ItemReadParser
from graph.tenancy import Registry


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
