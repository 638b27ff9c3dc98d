"""The session's table pool gives every test the seed data, whatever earlier tests did."""

from __future__ import annotations

from typing import Any

import pytest

from graph.settings import Settings
from graph.store import TableNames
from tests.conftest import make_audit, open_gateway
from tests.harness.shared_tables import scan_items, table_shape


async def contents(ddb: Any, tables: TableNames) -> dict[str, Any]:
    found = {}
    for table in tables.all():
        _, key = await table_shape(ddb, table)
        found[table] = await scan_items(ddb, table, key)
    return found


async def test_a_released_set_holds_its_seed_again(ddb: Any, settings: Settings) -> None:
    async with open_gateway(ddb, settings) as gw:
        tables = gw.tenants["kicks"].tables
        seed = await contents(ddb, tables)
        listing = next(iter(seed[tables.listings].values()))
        seller = next(iter(seed[tables.sellers].values()))
        # Writes through the gateway's own client, of every kind: changed, deleted, added.
        changed = {**listing, "title": {"S": "changed by a test"}}
        await ddb.put_item(TableName=tables.listings, Item=changed)
        await ddb.delete_item(TableName=tables.sellers, Key={"sellerId": seller["sellerId"]})
        extra = {"entityId": {"S": "extra"}, "atSequence": {"S": "1"}}
        await ddb.put_item(TableName=tables.history, Item=extra)
        assert await contents(ddb, tables) != seed

    async with open_gateway(ddb, settings) as again:
        assert again.tenants["kicks"].tables == tables  # the same set, leased again
        assert await contents(ddb, tables) == seed


async def test_two_gateways_of_one_test_hold_two_sets(ddb: Any, settings: Settings) -> None:
    async with open_gateway(ddb, settings) as one, open_gateway(ddb, settings) as two:
        assert one.tenants["kicks"].tables != two.tenants["kicks"].tables


async def test_a_set_whose_table_is_gone_is_replaced(ddb: Any, settings: Settings) -> None:
    async with open_gateway(ddb, settings) as gw:
        tables = gw.tenants["kicks"].tables
        await ddb.delete_table(TableName=tables.history)

    async with open_gateway(ddb, settings) as again:
        replaced = again.tenants["kicks"].tables
        assert replaced != tables
        assert (await ddb.describe_table(TableName=replaced.history))["Table"]


async def test_an_audit_consumer_refuses_leased_tables(
    ddb: Any, settings: Settings, streams: Any
) -> None:
    async with open_gateway(ddb, settings) as gw:
        with pytest.raises(AssertionError, match="fresh=True"):
            make_audit(gw, settings, ddb, streams)
    async with open_gateway(ddb, settings, fresh=True) as gw:
        make_audit(gw, settings, ddb, streams).consumer.close()
