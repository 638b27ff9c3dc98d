"""`count_directives` counts what graphql-core's `visit` counts, on any document.

Documents are generated (hypothesis): operations and fragments with directives on every
node that may carry one, nested selections, variable definitions, fragment spreads and
inline fragments; and type-system definitions mixed in (counted by `visit` itself).
"""

from __future__ import annotations

from typing import Any

from graphql import DirectiveNode, Visitor, parse, visit
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.limits.analysis import count_directives

directives = st.lists(st.sampled_from(["@a", "@b(if: true)", "@c(x: $v)"]), max_size=3).map(
    " ".join
)
const_directives = st.lists(st.sampled_from(["@a", "@b(if: true)"]), max_size=3).map(" ".join)
names = st.sampled_from(["f", "g", "h"])


def selection_sets(depth: int) -> st.SearchStrategy[str]:
    leaf = st.builds(lambda n, d: f"{n} {d}", names, directives)
    if depth == 0:
        return st.lists(leaf, min_size=1, max_size=3).map(lambda s: "{ " + " ".join(s) + " }")
    inner = selection_sets(depth - 1)
    selection = st.one_of(
        leaf,
        st.builds(lambda n, d, s: f"{n} {d} {s}", names, directives, inner),
        st.builds(lambda n, d: f"...{n.upper()} {d}", names, directives),
        st.builds(lambda d, s: f"... on T {d} {s}", directives, inner),
        st.builds(lambda d, s: f"... {d} {s}", directives, inner),
    )
    return st.lists(selection, min_size=1, max_size=3).map(lambda s: "{ " + " ".join(s) + " }")


variables = st.lists(
    st.builds(lambda i, d: f"$v{i}: Int = 1 {d}", st.integers(0, 9), const_directives),
    max_size=2,
).map(lambda v: f"({' '.join(v)})" if v else "")
operations = st.builds(
    lambda kind, v, d, s: f"{kind} {v} {d} {s}",
    st.sampled_from(["query Q", "mutation M", "subscription S"]),
    variables,
    directives,
    selection_sets(2),
)
fragments = st.builds(
    lambda n, d, s: f"fragment {n.upper()} on T {d} {s}", names, directives, selection_sets(2)
)
sdl = st.builds(
    lambda d: f"type T {d} {{ f: Int @deprecated {d} }}\ndirective @a on FIELD",
    const_directives,
)
documents = st.lists(st.one_of(operations, fragments, sdl), min_size=1, max_size=4).map("\n".join)


class Counter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.count += 1


@settings(max_examples=300, deadline=None)
@given(documents)
def test_counts_as_graphql_core_visit_does(text: str) -> None:
    document = parse(text)
    counter = Counter()
    visit(document, counter)
    assert count_directives(document) == counter.count


def test_an_anonymous_query_with_directives_everywhere() -> None:
    document = parse(
        "query ($v: Int @a) @b { f @c { ...F @d ... on T @e { g @f } } } "
        "fragment F on T @g { h @h }"
    )
    assert count_directives(document) == 8
