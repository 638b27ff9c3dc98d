"""The gateway's item-read parser returns exactly what stock botocore returns.

Generated items (hypothesis; every DynamoDB type, nested) are written to DynamoDB Local
and read back with GetItem, BatchGetItem, Query (paged) and Scan by two clients: the
gateway's (`open_dynamodb`, graph/store/parser.py) and a stock one (`item_parser=False`). The
answers must be equal but for the per-request metadata; a read whose body holds no
binary value must skip botocore's model walk, and one with a binary value must take it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from graph.settings import Settings
from graph.store import ITEM_READS, ItemReadParser, open_dynamodb, to_wire

numbers = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**20), max_value=10**20
)
binary = st.binary(min_size=1, max_size=6)
#: An attribute or map key named B or BS sends a read down botocore's path (it cannot be
#: told from a binary value by a byte search); the binary test covers that case.
keys = st.text(min_size=1, max_size=6).filter(lambda n: n not in ("B", "BS"))
plain_scalars = st.one_of(st.text(max_size=12), numbers, st.booleans(), st.none())
plain_sets = st.one_of(
    st.sets(st.text(max_size=6), min_size=1, max_size=3),
    st.sets(numbers, min_size=1, max_size=3),
)


def values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)
        ),
        max_leaves=12,
    )


names = keys.filter(lambda n: n not in ("pk", "sk"))
plain_items = st.dictionaries(names, values(st.one_of(plain_scalars, plain_sets)), max_size=6)
any_items = st.dictionaries(
    names,
    values(st.one_of(plain_scalars, plain_sets, binary, st.sets(binary, min_size=1, max_size=3))),
    max_size=6,
)
TABLE = f"parser-{uuid.uuid4().hex[:8]}"


class Reads:
    """Both clients, one table, and a record of which outputs the gateway's parser
    walked with botocore's model."""

    def __init__(self, gateway: Any, stock: Any) -> None:
        self.gateway, self.stock = gateway, stock
        self.walked: list[str] = []

    async def both(self, operation: str, **params: Any) -> None:
        mine = await getattr(self.gateway, operation)(**params)
        theirs = await getattr(self.stock, operation)(**params)
        mine.pop("ResponseMetadata")
        theirs.pop("ResponseMetadata")
        for answer in (mine, theirs):  # BatchGetItem answers in no particular order
            for found in answer.get("Responses", {}).values():
                found.sort(key=lambda item: item["sk"]["N"])
        assert mine == theirs, operation

    async def compare(self, batch: list[dict[str, Any]]) -> None:
        pk = uuid.uuid4().hex
        keys = [{"pk": {"S": pk}, "sk": {"N": str(n)}} for n in range(len(batch))]
        for key, item in zip(keys, batch, strict=True):
            await self.stock.put_item(TableName=TABLE, Item={**to_wire(item), **key})
        capacity = {"ReturnConsumedCapacity": "TOTAL"}
        for key in keys:
            await self.both("get_item", TableName=TABLE, Key=key, ConsistentRead=True)
        await self.both("get_item", TableName=TABLE, Key={"pk": {"S": "none"}, "sk": {"N": "0"}})
        await self.both("batch_get_item", RequestItems={TABLE: {"Keys": keys}}, **capacity)
        query = {
            "TableName": TABLE,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
        }
        await self.both("query", **query, **capacity)
        await self.both("query", **query, Limit=1)  # with LastEvaluatedKey
        await self.both(
            "scan",
            TableName=TABLE,
            FilterExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
        )


@pytest.fixture(scope="module")
def reads(settings: Settings) -> Iterator[tuple[asyncio.Runner, Reads]]:
    async def open_both(stack: AsyncExitStack) -> Reads:
        gateway = await stack.enter_async_context(open_dynamodb(settings))
        stock = await stack.enter_async_context(open_dynamodb(settings, item_parser=False))
        await stock.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        return Reads(gateway, stock)

    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        both = runner.run(open_both(stack))
        try:
            yield runner, both
        finally:
            runner.run(both.stock.delete_table(TableName=TABLE))
            runner.run(stack.aclose())


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The output shapes the gateway's parser handed to botocore's model walk."""
    shapes: list[str] = []
    walk = ItemReadParser._parse_shape

    def spy(self: ItemReadParser, shape: Any, node: Any) -> Any:
        shapes.append(shape.name)
        return walk(self, shape, node)

    monkeypatch.setattr(ItemReadParser, "_parse_shape", spy)
    return shapes


def test_binary_free_reads_skip_the_walk_and_match_botocore(
    reads: tuple[asyncio.Runner, Reads], walked: list[str]
) -> None:
    runner, both = reads

    @hypothesis_settings(max_examples=40, deadline=None)
    @given(st.lists(plain_items, min_size=1, max_size=4))
    def check(batch: list[dict[str, Any]]) -> None:
        runner.run(both.compare(batch))

    check()
    assert not ITEM_READS & set(walked), sorted(set(walked))


def test_reads_with_binaries_take_botocores_path_and_match_it(
    reads: tuple[asyncio.Runner, Reads], walked: list[str]
) -> None:
    runner, both = reads

    @hypothesis_settings(max_examples=40, deadline=None)
    @given(st.lists(any_items, min_size=1, max_size=4))
    def check(batch: list[dict[str, Any]]) -> None:
        runner.run(both.compare(batch))

    check()
    runner.run(both.compare([{"blob": b"\x00\xff", "set": {b"a", b"b"}}, {"B": "text"}]))
    assert {"GetItemOutput", "BatchGetItemOutput", "QueryOutput", "ScanOutput"} <= set(walked)
