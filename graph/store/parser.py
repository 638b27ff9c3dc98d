"""DynamoDB item reads parsed straight from their JSON, without botocore's model walk.

botocore checks every value of a JSON response against the service model to turn wire
types into Python ones. For a read of items that walk visits each attribute value's
ten-member structure: on a product page of 100 listings it was the largest single cost
of the gateway (bench/profile.py). The walk changes nothing but binary values (base64
text to bytes) in GetItem, BatchGetItem, Query and Scan output: every other value of
those shapes is a string, number, boolean, list or map as the JSON has it. So a
successful read whose body holds no binary value (no `"B"` or `"BS"` key) is returned as
the JSON decodes, which is exactly what botocore would return; any other response
(errors, writes, other services, a body that may hold a binary) takes botocore's path
unchanged. tests/store/test_parser.py checks both paths against stock botocore on the same
DynamoDB Local items.

Installed per botocore session (`register_item_parser`), so one client's parsing never
depends on another's.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import orjson
from aiobotocore.parsers import AioJSONParser, AioResponseParserFactory
from aiobotocore.session import AioSession

#: Output shapes made only of item maps, keys, counts and consumed capacity.
ITEM_READS = frozenset({"GetItemOutput", "BatchGetItemOutput", "QueryOutput", "ScanOutput"})
#: A binary (or binary set) attribute value's key. An attribute *named* B or BS matches
#: too and merely takes botocore's path; a JSON string cannot hold an unescaped quote.
_BINARY = re.compile(rb'"BS?"\s*:')


class ItemReadParser(AioJSONParser):  # type: ignore[misc]
    """botocore's JSON parser, minus the model walk for binary-free item reads."""

    def _handle_json_body(self, raw_body: bytes, shape: Any) -> Any:
        if (
            raw_body
            and shape is not None
            and shape.name in ITEM_READS
            and _BINARY.search(raw_body) is None
        ):
            return orjson.loads(raw_body)
        return super()._handle_json_body(raw_body, shape)


def _blob(value: str | bytes) -> bytes:
    """botocore's default blob parser, as a function: its own is a bound method of the
    parser, a cycle that left each response's parser to the garbage collector."""
    return base64.b64decode(value)


class ItemReadParserFactory(AioResponseParserFactory):  # type: ignore[misc]
    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return ItemReadParser(**{"blob_parser": _blob, **self._defaults})
        return super().create_parser(protocol_name)


def register_item_parser(session: AioSession) -> AioSession:
    """Make the clients `session` creates parse item reads with `ItemReadParser`."""
    session.register_component("response_parser_factory", ItemReadParserFactory())
    return session
