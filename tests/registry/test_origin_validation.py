"""`graph tenants origins add` takes an origin and nothing else: scheme http/https, a
host, an optional port."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.registry.origins import OriginError, normalize_origin
from graph.registry.tenants import TenantConfig

NOT_ORIGINS = [
    "https://shop.example/path",
    "https://shop.example?q",
    "https://shop.example#f",
    "https://u@shop.example",
    "javascript://shop.example",
    "data:text/html,x",
    "https://",
    "https://shop..example",
    "https://-shop.example",
    "https://shop-.example",
    "https://.shop.example",
    "https://shop.example:0",
    "https://shop.example:",
    "https://shop.example:65536",
    "https://shop.example:80x",
    "https://sho\np.example",
    "https://sho\tp.example",
    "https://shop .example",
    "https://shöp.example",
    "https://shop.example\u202e",
    "https://shop_example.com",
    "https://[::1]",
]


@pytest.mark.parametrize("raw", NOT_ORIGINS)
def test_what_is_not_an_origin_is_refused(raw: str) -> None:
    with pytest.raises(OriginError):
        normalize_origin(raw)


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@given(
    scheme=st.sampled_from(["http", "https"]),
    labels=st.lists(LABEL, min_size=1, max_size=4),
    port=st.none() | st.integers(1, 65535),
)
def test_every_origin_is_kept_and_the_registry_accepts_it(
    scheme: str, labels: list[str], port: int | None
) -> None:
    host = ".".join(labels)
    raw = f"{scheme}://{host}" + (f":{port}" if port is not None else "")
    origin = normalize_origin(raw)
    default = {"http": 80, "https": 443}[scheme]
    expected = f"{scheme}://{host}" + (f":{port}" if port not in (None, default) else "")
    assert origin == expected
    assert normalize_origin(origin) == origin
    TenantConfig(id="shop", name="Shop", origins=(origin,))  # the registry's own check
