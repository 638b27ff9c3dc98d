"""The User-Agent header of the gateway's own clients, built once per feature set.

botocore builds a client's User-Agent string twice for every API call (when it turns
the parameters into a request, and again just before sending, so that feature ids
registered during the call are included), sanitising every component character by
character: about 36 us each time, some 70 us of a call's CPU. The string changes only
with the feature ids in play (the client's own and the current call context's), so
`build_user_agent_once` makes the client's builder remember it per feature set. The
header sent is the one botocore would build (tests/tenancy/test_runtime_client.py checks it).
"""

from __future__ import annotations

from typing import Any

from botocore.context import get_context

#: Distinct feature sets remembered per client (a handful in practice).
_REMEMBERED = 32


def build_user_agent_once(client: Any) -> bool:
    """Make `client` build its User-Agent once per feature set; False (and the client
    unchanged) when this botocore has no per-client builder to wrap."""
    builder = getattr(client, "_user_agent_creator", None)
    build = getattr(type(builder), "to_string", None)
    if builder is None or build is None or not hasattr(builder, "_client_features"):
        return False
    built: dict[tuple[frozenset[str], frozenset[str]], str] = {}

    def to_string() -> str:
        context = get_context()
        key = (
            frozenset(builder._client_features or ()),
            frozenset(context.features) if context is not None else frozenset(),
        )
        text = built.get(key)
        if text is None:
            if len(built) >= _REMEMBERED:
                built.clear()
            text = built[key] = build(builder)
        return text

    # Both of botocore's call sites look `to_string` up on the instance.
    builder.to_string = to_string
    return True
