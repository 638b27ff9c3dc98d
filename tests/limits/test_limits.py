"""Static limits: every rejection happens before any DynamoDB call (counted via botocore
event hooks), with GRAPHQL_VALIDATION_FAILED and `extensions.limit` naming the limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from graph.registry.tenants import Limits
from graph.settings import Settings
from tests.conftest import CallRecorder, Gateway, open_gateway, raw_key

VALIDATION = "GRAPHQL_VALIDATION_FAILED"


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def limit_names(body: dict[str, Any]) -> list[str]:
    return [
        e["extensions"]["limit"]["name"]
        for e in body.get("errors", [])
        if "limit" in e.get("extensions", {})
    ]


@asynccontextmanager
async def gateway_with(
    ddb: Any,
    settings: Settings,
    limits: dict[str, Limits],
    *,
    seed: bool = True,
    client: Any | None = None,
) -> AsyncIterator[Gateway]:
    """`open_gateway` with chosen limits per tenant (and optionally another DynamoDB
    client, e.g. one with other retry settings); an app exception is a 500, as a
    server would answer, not raised into the test."""
    async with open_gateway(
        ddb,
        settings,
        tuple(limits),
        limits=limits,
        seed=seed,
        client=client,
        raise_app_exceptions=False,
    ) as gw:
        yield gw


def nested_listings(levels: int) -> str:
    """`seller -> listings -> edges -> node -> seller ...`, `levels` fields deep."""
    path = ['seller(id: "sel-001")'] + ["listings(first: 1)", "edges", "node", "seller"] * 20
    fields = path[: levels - 1]
    return "{ " + " { ".join(fields) + " { id }" + " }" * (len(fields) - 1) + " }"


# -- depth ------------------------------------------------------------------------------


async def test_depth_over_the_limit_is_rejected_before_any_call(
    gateway: Gateway, calls: CallRecorder
) -> None:
    ok = await gateway.gql(nested_listings(10))
    assert "errors" not in ok, ok
    calls.reset()
    body = await gateway.gql(nested_listings(11))
    assert codes(body) == [VALIDATION]
    assert body["errors"][0]["extensions"]["limit"] == {
        "name": "maxDepth",
        "value": 10,
        "actual": 11,
    }
    assert body["data"] is None
    assert calls.count() == 0


async def test_depth_counts_through_fragments(gateway: Gateway, calls: CallRecorder) -> None:
    body = await gateway.gql(
        """{ seller(id: "sel-001") { ...S } }
        fragment S on Seller { listings(first: 1) { edges { node { ...L } } } }
        fragment L on Listing { seller { ... on Seller { listings(first: 1) { edges { node {
          seller { listings(first: 1) { edges { node { id } } } } } } } } } }"""
    )
    assert codes(body) == [VALIDATION]
    assert body["errors"][0]["extensions"]["limit"]["actual"] == 13
    assert calls.count() == 0


async def test_cyclic_fragments_are_rejected_without_recursing(
    gateway: Gateway, calls: CallRecorder
) -> None:
    self_cycle = """{ listing(id: "lst-0001") { ...A } }
        fragment A on Listing { seller { listings { edges { node { ...A } } } } }"""
    mutual = """{ listing(id: "lst-0001") { ...A } }
        fragment A on Listing { seller { ...B } }
        fragment B on Seller { listings { edges { node { ...A } } } }"""
    for document in (self_cycle, mutual):
        body = await gateway.gql(document)
        assert codes(body) == [VALIDATION], body
        assert body["errors"][0]["extensions"]["limit"] == {
            "name": "maxDepth",
            "value": 10,
            "actual": None,
        }
        assert "spreads itself" in body["errors"][0]["message"]
    assert calls.count() == 0


# -- aliases and root fields ------------------------------------------------------------


async def test_aliases_hidden_in_repeated_fragment_spreads_are_counted(
    gateway: Gateway, calls: CallRecorder
) -> None:
    fragment = "fragment F on Listing { a: id b: title c: status }"
    five = await gateway.gql(
        f'{{ listing(id: "lst-0001") {{ ...F ...F ...F ...F ...F }} }} {fragment}'
    )
    assert "errors" not in five, five  # 15 aliases: at the limit
    calls.reset()
    six = await gateway.gql(
        f'{{ listing(id: "lst-0001") {{ ...F ...F ...F ...F ...F ...F }} }} {fragment}'
    )
    assert codes(six) == [VALIDATION]
    assert six["errors"][0]["extensions"]["limit"] == {
        "name": "maxAliases",
        "value": 15,
        "actual": 18,
    }
    nested = await gateway.gql(
        '{ listing(id: "lst-0001") { ...G } } fragment G on Listing { ...H ...H } '
        "fragment H on Listing { ...F ...F ...F } " + fragment
    )
    assert nested["errors"][0]["extensions"]["limit"] == {
        "name": "maxAliases",
        "value": 15,
        "actual": 18,
    }
    assert calls.count() == 0


async def test_doubling_fragment_chains_are_measured_once_per_fragment(
    gateway: Gateway, calls: CallRecorder
) -> None:
    # Strawberry 0.341's limiters re-walk a fragment at every spread: 22 levels took 30 s
    # of CPU. Measured once per fragment, 40 levels (2**40 spreads) are instant.
    levels = 40
    fragments = " ".join(
        f"fragment F{i} on Listing {{ x{i}: id ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    last = f"fragment F{levels} on Listing {{ id }}"
    document = f'{{ listing(id: "lst-0001") {{ ...F0 }} }} {fragments} {last}'
    body = await gateway.gql(document)
    assert limit_names(body) == ["maxAliases", "maxCost"]
    assert body["errors"][0]["extensions"]["limit"]["actual"] == 2**levels - 1
    assert calls.count() == 0


async def test_root_fields_are_counted_through_fragments(
    gateway: Gateway, calls: CallRecorder
) -> None:
    fields = " ".join(f'l{i}: listing(id: "lst-000{i}") {{ id }}' for i in range(1, 10))
    ok = await gateway.gql("{ " + fields + " __typename }")  # 10 root fields
    assert "errors" not in ok, ok
    calls.reset()
    body = await gateway.gql(
        '{ ...Q __typename seller(id: "sel-001") { id } } fragment Q on Query { ' + fields + " }"
    )
    assert codes(body) == [VALIDATION]
    assert body["errors"][0]["extensions"]["limit"] == {
        "name": "maxRootFields",
        "value": 10,
        "actual": 11,
    }
    assert calls.count() == 0


# -- tokens, directives, body size ------------------------------------------------------


async def test_too_many_tokens_stop_the_parser(gateway: Gateway, calls: CallRecorder) -> None:
    document = '{ listing(id: "lst-0001") { ' + "id " * 2_000 + "} }"
    body = await gateway.gql(document)
    assert codes(body) == [VALIDATION]
    assert body["errors"][0]["extensions"]["limit"]["name"] == "maxTokens"
    assert body["errors"][0]["extensions"]["limit"]["value"] == 2_000
    comments = "{ __typename }\n" + "#\n" * 2_100  # comments count as tokens too
    assert limit_names(await gateway.gql(comments)) == ["maxTokens"]
    assert calls.count() == 0


async def test_too_many_directives(gateway: Gateway, calls: CallRecorder) -> None:
    twenty_one = " ".join(["@include(if: true)"] * 21)
    body = await gateway.gql(f'{{ listing(id: "lst-0001") {{ id {twenty_one} }} }}')
    assert codes(body) == [VALIDATION]
    assert body["errors"][0]["extensions"]["limit"] == {
        "name": "maxDirectives",
        "value": 20,
        "actual": 21,
    }
    assert calls.count() == 0


async def test_body_over_two_megabytes_is_413_with_a_graphql_error(
    gateway: Gateway, calls: CallRecorder
) -> None:
    padding = "#" + "x" * (2 * 1024 * 1024)
    response = await gateway.post("{ __typename }\n" + padding)
    assert response.status_code == 413
    body = response.json()
    assert codes(body) == ["PAYLOAD_TOO_LARGE"]
    assert body["errors"][0]["extensions"]["limit"] == {
        "name": "maxBodyBytes",
        "value": 2 * 1024 * 1024,
    }

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(3):
            yield b" " * (1024 * 1024)

    streamed = await gateway.http.post(
        "/graphql",
        content=chunks(),
        headers={"X-Api-Key": raw_key("kicks", "read"), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert codes(streamed.json()) == ["PAYLOAD_TOO_LARGE"]
    assert calls.count() == 0


async def test_json_array_batching_is_a_clear_400(gateway: Gateway, calls: CallRecorder) -> None:
    response = await gateway.http.post(
        "/graphql",
        json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}],
        headers={"X-Api-Key": raw_key("kicks", "read")},
    )
    assert response.status_code == 400
    assert codes(response.json()) == ["BAD_REQUEST"]
    assert "one operation per request" in response.json()["errors"][0]["message"]
    assert calls.count() == 0


# -- first, ids, cost -------------------------------------------------------------------


async def test_first_and_ids_out_of_range_fail_before_any_call(
    gateway: Gateway, calls: CallRecorder
) -> None:
    # Nested under a list that would otherwise have been read first.
    body = await gateway.gql(
        'query($f: Int!) { listings(ids: ["lst-0001"]) { seller { '
        "listings(first: $f) { edges { node { id } } } } } }",
        {"f": 101},
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "between 1 and 100" in body["errors"][0]["message"]
    ids = [f"lst-{n:04d}" for n in range(1, 102)]
    body = await gateway.gql("query($ids: [ID!]!) { listings(ids: $ids) { id } }", {"ids": ids})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert calls.count() == 0


async def test_cost_over_the_limit_is_rejected_with_the_estimate(
    gateway: Gateway, calls: CallRecorder
) -> None:
    ids = [f"lst-{n:04d}" for n in range(1, 101)]
    document = """query($ids: [ID!]!, $first: Int) { listings(ids: $ids) { seller {
        listings(first: $first) { edges { node { id } } } } } }"""
    body = await gateway.gql(document, {"ids": ids, "first": 100})
    # node{id}=2, edges=3, listings(first:100)=1+100*3, seller=1+301, listings(ids)=1+100*302
    assert codes(body) == [VALIDATION]
    error = body["errors"][0]
    assert error["extensions"]["cost"] == {"requested": 30201, "limit": 5000}
    assert error["extensions"]["limit"] == {"name": "maxCost", "value": 5000, "actual": 30201}
    assert "estimated cost is 30201" in error["message"]
    assert body["extensions"]["cost"]["requested"] == 30201
    assert "dynamodbCalls" not in body["extensions"]["cost"]  # a read key's
    written = await gateway.gql(document, {"ids": ids, "first": 100}, scope="write")
    assert codes(written) == [VALIDATION]
    assert written["extensions"]["cost"]["dynamodbCalls"] == 0
    # Without `first`, its default (20) counts: 1 + 100 * (1 + 1 + 20 * 3) = 6201.
    default = await gateway.gql(document, {"ids": ids})
    assert default["errors"][0]["extensions"]["cost"]["requested"] == 6201
    assert calls.count() == 0


async def test_a_pages_own_fields_count_once_not_per_item(gateway: Gateway) -> None:
    """`first` multiplies what each item costs (edges), not what a page resolves once
    (pageInfo): a page of 10 with its pageInfo is 1 + 10 * 3 + (1 + 2)."""
    body = await gateway.gql(
        '{ productListings(productId: "prd-001", first: 10) '
        "{ edges { node { id } } pageInfo { hasNextPage endCursor } } }"
    )
    assert "errors" not in body, body
    assert body["extensions"]["cost"]["requested"] == 34
    assert body["extensions"]["cost"]["actual"] <= 34


async def test_every_response_reports_estimated_and_actual_cost(
    gateway: Gateway, calls: CallRecorder
) -> None:
    body = await gateway.gql(
        '{ productListings(productId: "prd-001", first: 10) '
        "{ edges { node { id seller { displayName } } } } }"
    )
    assert "errors" not in body, body
    cost = body["extensions"]["cost"]
    # node = 1 + id + seller(1 + displayName) = 4; edges = 5; productListings = 1 + 10 * 5
    assert cost["requested"] == 51
    # Calls and capacity grow with private fields' size: a read key is never shown them
    # (issue 30), a key that may read private fields is.
    assert calls.count() == 2
    assert "dynamodbCalls" not in cost
    assert "actualReadCapacity" not in cost
    assert "actualWriteCapacity" not in cost
    calls.reset()
    written = await gateway.gql(
        '{ productListings(productId: "prd-001", first: 10) '
        "{ edges { node { id seller { displayName } } } } }",
        scope="write",
    )
    assert written["extensions"]["cost"]["requested"] == 51
    assert written["extensions"]["cost"]["dynamodbCalls"] == calls.count() == 2
    document = '{ productListings(productId: "prd-001", first: 10) { edges { node { id } } } }'
    for scope in ("write", "admin"):
        private = (await gateway.gql(document, scope=scope))["extensions"]["cost"]
        assert private["actualReadCapacity"] > 0
        assert private["actualWriteCapacity"] == 0
    parse_error = await gateway.gql("{ listing(")
    assert codes(parse_error) == ["GRAPHQL_PARSE_FAILED"]
    assert parse_error["extensions"]["cost"] == {"requested": 0, "actual": 0}
    written = await gateway.gql("{ listing(", scope="write")
    assert written["extensions"]["cost"] == {
        "requested": 0,
        "actual": 0,
        "actualReadCapacity": 0.0,
        "actualWriteCapacity": 0.0,
        "dynamodbCalls": 0,
    }


async def test_concurrent_requests_keep_their_own_cost(roomy: Gateway) -> None:
    gateway = roomy  # 20 in flight at once: above the default concurrency cap of 8
    documents = [
        f'{{ productListings(productId: "prd-001", first: {n}) {{ edges {{ node {{ id }} }} }} }}'
        for n in range(1, 21)
    ]
    bodies = await asyncio.gather(*(gateway.gql(d) for d in documents))
    # edges = 1 + node(1 + id) = 3 per item
    assert [b["extensions"]["cost"]["requested"] for b in bodies] == [
        1 + 3 * n for n in range(1, 21)
    ]


async def test_unknown_fragment_is_a_validation_error_not_a_crash(
    gateway: Gateway, calls: CallRecorder
) -> None:
    body = await gateway.gql('{ listing(id: "lst-0001") { ...Nowhere } }')
    assert codes(body) == [VALIDATION]
    assert calls.count() == 0


async def test_limits_are_per_tenant(ddb: Any, settings: Settings, calls: CallRecorder) -> None:
    strict = Limits(max_depth=3, max_aliases=1, max_root_fields=1, max_directives=0, max_cost=10)
    async with gateway_with(ddb, settings, {"kicks": strict, "threads": Limits()}) as gw:
        calls.reset()
        document = (
            '{ listing(id: "lst-0001") { seller { '
            "listings(first: 1) { edges { node { id } } } } } }"
        )
        strict_body = await gw.gql(document, tenant="kicks")
        assert limit_names(strict_body) == ["maxDepth"]
        assert calls.count() == 0
        assert "errors" not in await gw.gql(document, tenant="threads")
        two = await gw.gql(
            '{ a: listing(id: "x") { id } b: listing(id: "y") { id } }', tenant="kicks"
        )
        assert limit_names(two) == ["maxAliases", "maxRootFields"]
        ids = [f"lst-{n:04d}" for n in range(1, 12)]
        costly = await gw.gql(
            "query($ids: [ID!]!) { listings(ids: $ids) { id } }", {"ids": ids}, tenant="kicks"
        )
        assert limit_names(costly) == ["maxCost"]


async def test_valid_documents_are_validated_once(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    import strawberry.schema.schema as strawberry_schema

    from graph.limits.extension import VALID_DOCUMENTS

    validated: list[str] = []
    real = strawberry_schema.validate_document

    def counting(schema: Any, document: Any, rules: Any) -> Any:
        validated.append(document.loc.source.body)
        return real(schema, document, rules)

    monkeypatch.setattr(strawberry_schema, "validate_document", counting)
    monkeypatch.setattr(VALID_DOCUMENTS, "_keys", type(VALID_DOCUMENTS)()._keys)
    good = '{ listing(id: "lst-0001") { id title } }'
    bad = '{ listing(id: "lst-0001") { titel } }'
    for _ in range(3):
        assert "errors" not in await gateway.gql(good)
        assert codes(await gateway.gql(bad)) == [VALIDATION]
    assert validated.count(good) == 1  # then served from the cache of valid documents
    assert validated.count(bad) == 3  # errors are never cached
    other_variant = await gateway.gql(good, scope="write")  # another schema: validated anew
    assert "errors" not in other_variant
    assert validated.count(good) == 2


async def test_documents_are_parsed_once(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    import strawberry.schema.schema as strawberry_schema

    from graph.limits.extension import PARSED_DOCUMENTS

    parsed: list[str] = []
    real = strawberry_schema.parse

    def counting(source: str, **options: Any) -> Any:
        parsed.append(source)
        return real(source, **options)

    monkeypatch.setattr(strawberry_schema, "parse", counting)
    monkeypatch.setattr(PARSED_DOCUMENTS, "_documents", type(PARSED_DOCUMENTS)()._documents)
    good = '{ listing(id: "lst-0002") { id title } }'
    broken = '{ listing(id: "lst-0002") { id '
    for _ in range(3):
        assert "errors" not in await gateway.gql(good)
        assert codes(await gateway.gql(broken)) == ["GRAPHQL_PARSE_FAILED"]
    assert parsed.count(good) == 1  # then served from the cache of parsed documents
    assert parsed.count(broken) == 3  # syntax errors are never cached
    assert "errors" not in await gateway.gql(good, scope="write")
    assert parsed.count(good) == 1  # the same text and token limit: one parse, both schemas
