"""Reading DynamoDB Streams (for the local runner; in AWS, Lambda reads the streams)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Shard:
    stream_arn: str
    shard_id: str
    parent_id: str | None


class StreamReader:
    def __init__(self, dynamodb: Any, streams: Any) -> None:
        self._dynamodb = dynamodb
        self._streams = streams

    async def stream_arn(self, table: str) -> str:
        described = await self._dynamodb.describe_table(TableName=table)
        arn = described["Table"].get("LatestStreamArn")
        if not arn:
            raise ValueError(f"table {table} has no stream enabled")
        return str(arn)

    async def shards(self, stream_arn: str) -> list[Shard]:
        shards: list[Shard] = []
        start: str | None = None
        while True:
            kwargs: dict[str, Any] = {"StreamArn": stream_arn}
            if start:
                kwargs["ExclusiveStartShardId"] = start
            described = (await self._streams.describe_stream(**kwargs))["StreamDescription"]
            for shard in described.get("Shards", []):
                shards.append(Shard(stream_arn, shard["ShardId"], shard.get("ParentShardId")))
            start = described.get("LastEvaluatedShardId")
            if not start:
                return shards

    async def iterator(self, shard: Shard, after: str | None) -> str | None:
        kwargs: dict[str, Any] = {"StreamArn": shard.stream_arn, "ShardId": shard.shard_id}
        if after:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        response = await self._streams.get_shard_iterator(**kwargs)
        iterator: str | None = response.get("ShardIterator")
        return iterator

    async def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        response = await self._streams.get_records(ShardIterator=iterator, Limit=limit)
        return list(response.get("Records", [])), response.get("NextShardIterator")
