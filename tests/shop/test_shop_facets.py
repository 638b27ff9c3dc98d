"""Facet counts stay exact: after 500 random writes through the gateway (creates,
updates of condition, size, grade and price, status changes, deletes), with the stream
consumer killed mid-batch, restarted from its checkpoints and handed a batch twice, the
counters equal a recount of the table, for every status."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from graph.audit.runner import StreamRunner
from graph.domain import TRANSITIONS
from graph.store import IndexedField, delete_tables, facet_values, from_wire
from tests.conftest import make_audit, make_gateway
from tests.schema.test_mutations import CREATE, STATUS, new_listing

WRITES = 500
CONDITIONS = ["NEW_WITH_TAGS", "LIKE_NEW", "GOOD", "FAIR"]
SIZES = ["8", "9", "9.5", "10", "10.5", "11", None]
GRADES = ["VERIFIED", "PENDING", "UNVERIFIED", None]
FACETS = """query($status: ListingStatus!) {
  shop(status: $status, first: 1) { facets { field values { value count } } }
}"""
EDIT = """mutation($id: ID!, $v: Int!, $input: UpdateListingInput!) {
  updateListing(id: $id, expectedVersion: $v, input: $input) {
    listing { id version } userErrors { code }
  }
}"""
#: kicks.toml: size (optional) and authenticity_grade (default PENDING) are indexed.
INDEXED = (IndexedField("size"), IndexedField("authenticity_grade", "PENDING"))
GRAPHQL_NAMES = {"size": "size", "authenticityGrade": "authenticity_grade"}


class Crash(Exception):
    """The consumer died mid-batch, before acknowledging it."""


def _custom(rng: random.Random) -> dict[str, Any]:
    return {"size": rng.choice(SIZES), "authenticityGrade": rng.choice(GRADES)}


async def _recount(ddb: Any, table: str) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    async for page in ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for raw in page["Items"]:
            item = from_wire(raw)
            counts.setdefault(item["status"], Counter()).update(facet_values(item, INDEXED))
    return counts


async def _served(gw: Any, status: str) -> Counter[str]:
    body = await gw.gql(FACETS, {"status": status})
    assert "errors" not in body, body
    out: Counter[str] = Counter()
    for facet in body["data"]["shop"]["facets"]:
        name = GRAPHQL_NAMES.get(facet["field"], facet["field"])
        for value in facet["values"]:
            out[f"{name}#{value['value']}"] = value["count"]
    return out


async def test_facet_counts_equal_a_recount(ddb: Any, settings: Any, streams: Any) -> None:
    gw, tenants = await make_gateway(ddb, settings, seed=True)
    table = tenants[0].tables.listings
    audit = make_audit(gw, settings, ddb, streams, batch_size=20)
    rng = random.Random(20261207)
    stats = {"crashes": 0, "twice": 0, "batches": 0}
    consumer = {"current": audit.consumer}

    def chaotic(event: dict[str, Any]) -> dict[str, Any]:
        stats["batches"] += 1
        records = event["Records"]
        handle = consumer["current"].handle
        if stats["batches"] % 7 == 3:  # dies part-way: a prefix applied, none acknowledged
            stats["crashes"] += 1
            handle({"Records": records[: rng.randrange(len(records))]})
            raise Crash
        response = handle(event)
        if stats["batches"] % 5 == 1:  # redelivered: must count nothing twice
            stats["twice"] += 1
            handle(event)
        return response

    async def drain() -> None:
        for _ in range(200):
            runner = StreamRunner(
                audit.runner.reader, chaotic, audit.runner.tables, audit.checkpoints, batch_size=20
            )
            try:
                await runner.drain(idle_polls=2)
                return
            except Crash:  # kill this consumer; a new one resumes from the checkpoints
                consumer["current"].close()
                consumer["current"] = make_audit(gw, settings, ddb, streams).consumer
        raise AssertionError("the consumer never caught up")

    listings: dict[str, dict[str, Any]] = {}  # id -> {"version", "status"}
    try:
        for n in range(WRITES):
            if n == WRITES // 2:
                await drain()  # half-way: the consumer catches up through its crashes
            roll = rng.random()
            if roll < 0.3 or len(listings) < 5:
                body = await gw.gql(
                    CREATE,
                    {
                        "input": new_listing(
                            condition=rng.choice(CONDITIONS),
                            status=rng.choice(["ACTIVE", "DRAFT"]),
                            custom={k: v for k, v in _custom(rng).items() if v is not None},
                        )
                    },
                    scope="write",
                )
                created = body["data"]["createListing"]["listing"]
                listings[created["id"]] = {"version": 1, "status": created["status"]}
                continue
            listing_id = rng.choice(sorted(listings))
            known = listings[listing_id]
            if roll < 0.6:
                change = rng.choice(["condition", "custom", "price"])
                value: Any = {
                    "condition": rng.choice(CONDITIONS),
                    "custom": _custom(rng),
                    "price": {"amount": f"{rng.randint(20, 400)}.00", "currency": "USD"},
                }[change]
                body = await gw.gql(
                    EDIT,
                    {"id": listing_id, "v": known["version"], "input": {change: value}},
                    scope="write",
                )
                result = body["data"]["updateListing"]
                assert not result["userErrors"], body
                known["version"] = result["listing"]["version"]
            elif roll < 0.9:
                targets = sorted(TRANSITIONS[known["status"]])
                if not targets:
                    continue
                body = await gw.gql(
                    STATUS,
                    {"id": listing_id, "status": rng.choice(targets), "v": known["version"]},
                    scope="write",
                )
                moved = body["data"]["setListingStatus"]["listing"]
                known.update(version=moved["version"], status=moved["status"])
            else:  # no delete mutation: the table's own DeleteItem, a REMOVE record
                await ddb.delete_item(TableName=table, Key={"listingId": {"S": listing_id}})
                del listings[listing_id]
        await drain()
        assert stats["crashes"] >= 2
        assert stats["twice"] >= 2
        recount = await _recount(ddb, table)
        for status in ("ACTIVE", "DRAFT", "RESERVED", "SOLD", "WITHDRAWN"):
            expected = recount.get(status, Counter())
            assert await _served(gw, status) == +expected, status
        assert sum(recount["ACTIVE"].values()) > 0
    finally:
        consumer["current"].close()
        await gw.http.aclose()
        for tenant in tenants:
            await delete_tables(ddb, tenant.tables)
