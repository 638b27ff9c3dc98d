"""The parsed- and valid-document caches are bounded in bytes, not only in entries, and
a document longer than any client sends is refused before it is parsed."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import pytest

from graph.execution.projection import READ_PLANS
from graph.http.bodies import MAX_DOCUMENT_CHARS
from graph.limits.extension import PARSED_DOCUMENTS, VALID_DOCUMENTS
from graph.limits.lru import WeightedLRU
from tests.conftest import Gateway

MIB = 1024 * 1024


def test_the_lru_holds_its_byte_bound_and_its_entry_bound() -> None:
    lru: WeightedLRU[int, str] = WeightedLRU(size=10, max_bytes=1000)
    for n in range(100):
        lru.add(n, "x", 300)
        assert lru.bytes <= 1000
        assert len(lru) <= 3
    assert lru.get(99) == "x"
    assert lru.get(0) is None
    lru.add(-1, "too big", 1001)  # never kept: it would not fit alone
    assert -1 not in lru
    for n in range(100):
        lru.add(1000 + n, "x", 1)
    assert len(lru) == 10


async def test_many_large_distinct_documents_leave_memory_bounded(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PARSED_DOCUMENTS, "_documents", type(PARSED_DOCUMENTS)()._documents)
    monkeypatch.setattr(VALID_DOCUMENTS, "_keys", type(VALID_DOCUMENTS)()._keys)
    monkeypatch.setattr(READ_PLANS, "_plans", type(READ_PLANS)()._plans)
    monkeypatch.setattr(READ_PLANS, "chars", 0)
    filler = "x" * 90_000

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(200):
            # Distinct texts that parse and validate (a comment is no token).
            document = f"# {n} {filler}\n{{ __typename }}"
            body = await gateway.gql(document)
            assert body == {"data": {"__typename": "Query"}, "extensions": body["extensions"]}
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 200 x 90 kB kept whole would be 18 MB; the caches keep at most 8 MiB of texts
    # (valid documents and read plans share them) and 64 MiB of estimated parsed bytes
    # (120 a character: a few such documents), far below their entry bounds (1,024 and
    # 2,048). (200 documents, not more: tracemalloc makes the lexer's walk over each
    # comment about ten times slower.)
    assert grown < 12 * MIB, grown
    assert READ_PLANS.chars <= 8 * MIB
    assert PARSED_DOCUMENTS.bytes <= 64 * MIB
    assert len(PARSED_DOCUMENTS) < 10


async def test_a_document_over_the_size_limit_is_refused_before_parsing(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    import strawberry.schema.schema as strawberry_schema

    parsed: list[int] = []
    real = strawberry_schema.parse

    def counting(source: str, **options: Any) -> Any:
        parsed.append(len(source))
        return real(source, **options)

    monkeypatch.setattr(strawberry_schema, "parse", counting)
    document = "# " + "x" * MAX_DOCUMENT_CHARS + "\n{ __typename }"
    response = await gateway.post(document)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert str(MAX_DOCUMENT_CHARS) in error["message"]
    assert parsed == []
