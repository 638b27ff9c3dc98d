"""The embeddable widget: the script as served, its size budget, and its persisted
operations (a product's offers, the shop), which run by hash for every tenant,
safelisted or not (browser runs are in tests/e2e/test_widget_browser.py and
tests/e2e/test_widget_shop.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import graphql

from graph.execution.internals import graphql_schema
from graph.http.persisted import (
    LIVE_OPERATION_FILE,
    OPERATION_FILE,
    SHOP_OPERATION_FILE,
    builtin_operations,
    sha256_hex,
)
from graph.registry.tenants import Limits
from graph.routes.widget import (
    CACHE_CONTROL,
    IMMUTABLE,
    SCRIPT_FILE,
    SCRIPT_PATH,
    hashed_path,
)
from graph.settings import REPO_ROOT, Settings
from tests.conftest import Gateway, raw_key
from tests.http.test_persisted_queries import apq, write_manifest
from tests.limits.test_limits import codes, gateway_with

#: The widget's budget, gzip level 9 bytes (the issue's goal is 8 KB; this leaves room).
#: A byte count, so it holds on any machine; 3,241 bytes when this was written. Raised
#: from 6,144 for shop mode (issue 28: its form of sort, facet and price controls, partial
#: pages, and its strings in three languages added 1,323 bytes, 5,429 -> 6,752): the
#: build plus 160 bytes of room, still well inside the issue's 8 KB.
GZIP_BUDGET = 6_912


#: The element's source; SCRIPT_FILE is what `make widget` builds from it (minified).
SOURCE_FILE = SCRIPT_FILE.parents[1] / "src" / "resale-offers.js"


def widget_hash(name: str = "HASH") -> str:
    """The hash the script sends: HASH (a product's offers) or SHOP (shop mode)."""
    found = re.findall(rf'var {name} = "([0-9a-f]{{64}})";', SOURCE_FILE.read_text())
    assert len(found) == 1, f"resale-offers.js must declare its operation hash {name} once"
    assert SCRIPT_FILE.read_text().count(found[0]) == 1, "the build is stale: run `make widget`"
    return found[0]


def test_widget_stays_within_its_gzip_budget() -> None:
    size = len(gzip.compress(SCRIPT_FILE.read_bytes(), 9))
    print(f"\nwidget.js: {SCRIPT_FILE.stat().st_size} bytes, {size} bytes gzip -9")
    assert size <= GZIP_BUDGET, f"widget.js is {size} bytes gzipped; budget {GZIP_BUDGET}"


def test_widget_sends_exactly_the_registered_operation() -> None:
    document = OPERATION_FILE.read_text()
    assert widget_hash() == sha256_hex(document), (
        "widget.js's HASH is not the SHA-256 of widget/resale-widget.graphql: "
        "put `sha256sum widget/resale-widget.graphql` in it"
    )
    shop = SHOP_OPERATION_FILE.read_text()
    assert widget_hash("SHOP") == sha256_hex(shop), (
        "widget.js's SHOP is not the SHA-256 of widget/resale-widget-shop.graphql: "
        "put `sha256sum widget/resale-widget-shop.graphql` in it"
    )
    live = LIVE_OPERATION_FILE.read_text()
    assert builtin_operations() == {
        sha256_hex(document): document,
        sha256_hex(shop): shop,
        sha256_hex(live): live,
    }
    for text, name in ((document, "ResaleWidget"), (shop, "ResaleWidgetShop")):
        parsed = graphql.parse(text)
        names = [d.name.value for d in parsed.definitions if hasattr(d, "name") and d.name]
        assert names == [name]
    # The HTTP operation goes by hash only: the script holds no query or mutation; its
    # one document is the live subscription (WebSocket subscribes carry their text).
    script = SOURCE_FILE.read_text()
    for field in ("productListings(", "shop("):
        assert field not in script
        assert field not in SCRIPT_FILE.read_text()
    assert live_document() in SCRIPT_FILE.read_text()  # the build folded the concatenation
    assert re.search(r"\b(query|mutation)\s+\w*\s*[({]", script) is None
    assert '"query"' not in script
    assert script.count("query:") == 1
    assert "query: LIVE," in script


def live_document() -> str:
    """The subscription document widget.js sends over the WebSocket (`var LIVE`)."""
    found = re.findall(r'var LIVE =\s*((?:"[^"]*"\s*\+?\s*)+);', SOURCE_FILE.read_text())
    assert len(found) == 1, "widget.js must declare its subscription document once"
    return "".join(re.findall(r'"([^"]*)"', found[0]))


def test_live_subscription_is_one_valid_subscription_for_every_demo_tenant(
    settings: Settings,
) -> None:
    from graph.registry.tenants import load_registry
    from graph.tenancy.runtime import Runtime

    document = graphql.parse(live_document())
    (operation,) = document.definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    assert operation.operation == graphql.OperationType.SUBSCRIPTION
    assert operation.name is not None
    assert operation.name.value == "ResaleWidgetLive"
    dev = settings.model_copy(update={"stage": "dev"})
    runtime = Runtime(dev, load_registry(dev.tenants_dir, "dev"))
    for tenant in runtime.registry.tenants.values():
        schema = graphql_schema(
            runtime.graph_for(tenant).schema(private=False)
        )  # public: a read key's
        assert graphql.validate(schema, document) == [], tenant.id


def test_live_subscription_is_a_built_in_operation_byte_for_byte() -> None:
    """Safelisted tenants accept it over the WebSocket only if the text sent is the
    registered one (graph/routes/widget.py LIVE_OPERATION_FILE)."""
    assert LIVE_OPERATION_FILE.read_text() == live_document()
    assert builtin_operations()[sha256_hex(live_document())] == live_document()


async def test_script_is_public_cacheable_and_compressed(gateway: Gateway) -> None:
    plain = await gateway.http.get(SCRIPT_PATH, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200, plain.text
    assert plain.headers["content-type"] == "text/javascript; charset=utf-8"
    assert plain.headers["cache-control"] == CACHE_CONTROL
    assert plain.headers["x-content-type-options"] == "nosniff"
    assert plain.headers["access-control-allow-origin"] == "*"
    assert plain.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "content-encoding" not in plain.headers
    assert plain.content == SCRIPT_FILE.read_bytes()

    raw = await gateway.http.get(SCRIPT_PATH, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.content == SCRIPT_FILE.read_bytes()  # httpx decoded it
    assert int(raw.headers["content-length"]) < len(plain.content) // 2

    cached = await gateway.http.get(SCRIPT_PATH, headers={"If-None-Match": plain.headers["etag"]})
    assert cached.status_code == 304
    assert cached.content == b""
    assert (await gateway.http.get("/widget/v1/other.js")).status_code in (401, 404)

    # The same bytes at the build's content-hashed URL, cacheable for a year.
    immutable = hashed_path()
    assert immutable is not None
    digest = immutable.split("/")[2]
    assert immutable == f"/widget/{digest}/resale-offers.js"
    assert hashlib.sha256(SCRIPT_FILE.read_bytes()).hexdigest().startswith(digest)
    pinned = await gateway.http.get(immutable)
    assert pinned.status_code == 200, pinned.text
    assert pinned.headers["cache-control"] == IMMUTABLE
    assert IMMUTABLE == "public, max-age=31536000, immutable"
    assert pinned.content == SCRIPT_FILE.read_bytes()
    assert pinned.headers["access-control-allow-origin"] == "*"  # SRI needs CORS
    other = f"/widget/{'0' * 16}/resale-offers.js"
    assert (await gateway.http.get(other)).status_code in (401, 404)


def first_page(tenant: str, product: str = "prd-001") -> list[dict[str, Any]]:
    from graph.local import demo

    items = [
        i
        for i in demo.dataset(tenant)["listings"]
        if i["productId"] == product and i["status"] == "ACTIVE"
    ]
    return sorted(items, key=lambda i: (i["createdAt"], i["listingId"]), reverse=True)


async def run_widget(
    gw: Gateway, tenant: str, after: str | None = None, first: int = 6
) -> dict[str, Any]:
    body = {
        "operationName": "ResaleWidget",
        "variables": {"productId": "prd-001", "first": first, "after": after},
        "extensions": apq(widget_hash()),
    }
    response = await gw.http.post(
        "/graphql", json=body, headers={"X-Api-Key": raw_key(tenant, "read")}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_widget_operation_runs_by_hash_for_every_mode(
    ddb: Any, settings: Settings, tmp_path: Path
) -> None:
    write_manifest(tmp_path, "kicks", ['{ listing(id: "lst-0001") { id } }'])
    listed = settings.model_copy(update={"tenants_dir": tmp_path})
    # kicks: safelist mode, and its manifest does not list the widget's operation;
    # threads: APQ mode, never sent the document.
    async with gateway_with(
        ddb, listed, {"kicks": Limits(safelist=True), "threads": Limits()}
    ) as gw:
        for tenant, currency in (("kicks", "USD"), ("threads", "EUR")):
            expected = first_page(tenant)
            page = await run_widget(gw, tenant)
            assert "errors" not in page, page
            connection = page["data"]["productListings"]
            ids = [e["node"]["id"] for e in connection["edges"]]
            assert ids == [i["listingId"] for i in expected[:6]]
            node = connection["edges"][0]["node"]
            assert node["price"] == {
                "amount": str(expected[0]["price"]["amount"]),
                "currency": currency,
            }
            assert node["seller"]["displayName"]
            assert node["images"][0]["url"].startswith("https://")
            assert connection["pageInfo"]["hasNextPage"] is True
            after = connection["pageInfo"]["endCursor"]
            second = await run_widget(gw, tenant, after=after)
            more = [e["node"]["id"] for e in second["data"]["productListings"]["edges"]]
            assert more == [i["listingId"] for i in expected[6:12]]
        # Safelist mode still refuses everything else.
        other = '{ listing(id: "lst-0002") { id } }'
        refused = await gw.http.post(
            "/graphql", json={"query": other}, headers={"X-Api-Key": raw_key("kicks", "read")}
        )
        assert codes(refused.json()) == ["FORBIDDEN"]


async def run_shop(gw: Gateway, tenant: str, **variables: Any) -> dict[str, Any]:
    """The shop mode's request as the script sends it: a GET, by hash only."""
    sent = {"orderBy": "NEWEST", "filter": None, "first": 12, "after": None, "facets": True}
    params = {
        "operationName": "ResaleWidgetShop",
        "variables": json.dumps({**sent, **variables}),
        "extensions": json.dumps(apq(widget_hash("SHOP"))),
    }
    response = await gw.http.get(
        "/graphql", params=params, headers={"X-Api-Key": raw_key(tenant, "read")}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert "errors" not in result, result
    return result


async def test_shop_operation_runs_by_hash_and_filters_any_brands_indexed_field(
    ddb: Any, settings: Settings, tmp_path: Path
) -> None:
    """One document for every brand: its facet filter names kicks' `size` and threads'
    `sizeLabel` by their facet names, in safelist mode (kicks, whose manifest does not
    list it) and APQ mode (threads, never sent the document)."""
    import shutil

    from graph.local import demo

    shutil.copytree(settings.tenants_dir / "extensions", tmp_path / "extensions")
    write_manifest(tmp_path, "kicks", ['{ listing(id: "lst-0001") { id } }'])
    listed = settings.model_copy(update={"tenants_dir": tmp_path})
    cases = (("kicks", "size", "size", "10.5"), ("threads", "sizeLabel", "size_label", "M"))
    async with gateway_with(
        ddb, listed, {"kicks": Limits(safelist=True), "threads": Limits()}
    ) as gw:
        for tenant, field, stored, value in cases:
            active = [i for i in demo.dataset(tenant)["listings"] if i["status"] == "ACTIVE"]
            first = await run_shop(gw, tenant, orderBy="PRICE_ASC")
            shop = first["data"]["shop"]
            amounts = [Decimal(e["node"]["price"]["amount"]) for e in shop["edges"]]
            assert amounts == sorted(Decimal(str(i["price"]["amount"])) for i in active)[:12]
            assert [f["field"] for f in shop["facets"]][:1] == ["condition"]
            assert field in [f["field"] for f in shop["facets"]]
            assert shop["pageInfo"]["hasNextPage"] is True
            wanted = {"facets": [{"field": field, "in": [value]}], "condition": ["GOOD"]}
            narrowed = await run_shop(gw, tenant, orderBy="PRICE_DESC", filter=wanted, facets=False)
            shop = narrowed["data"]["shop"]
            assert "facets" not in shop  # asked for with the first page only
            expected = sorted(
                (
                    i
                    for i in active
                    if str(i.get("custom", {}).get(stored)) == value and i["condition"] == "GOOD"
                ),
                key=lambda i: Decimal(str(i["price"]["amount"])),
                reverse=True,
            )
            ids = [e["node"]["id"] for e in shop["edges"]]
            assert ids == [i["listingId"] for i in expected][: len(ids)]
            assert ids, "the demo data has such listings"
            plans = narrowed["extensions"]["cost"]["plans"]
            assert {p["index"] for p in plans} == {f"shop_{stored}_price"}


#: The widget's largest page (its `page-size` attribute is clamped to 1-24) and the
#: variables of its most costly request in each mode: a filter on every facet.
LARGEST_PAGES = {
    "resale-widget.graphql": {"productId": "prd-001", "first": 24},
    "resale-widget-shop.graphql": {
        "orderBy": "PRICE_ASC",
        "first": 24,
        "facets": True,
        "filter": {"condition": ["GOOD"], "price": {"min": "1", "max": "999"}},
    },
}


async def test_widget_operation_is_valid_for_every_demo_tenant(settings: Settings) -> None:
    """Valid against every demo tenant's schema, and within the default maxCost at the
    widget's largest page: a change to the cost model must not refuse the widget."""
    from graph.limits.analysis import analyze
    from graph.registry.tenants import load_registry
    from graph.tenancy.runtime import Runtime

    dev = settings.model_copy(update={"stage": "dev"})
    runtime = Runtime(dev, load_registry(dev.tenants_dir, "dev"))
    source = (REPO_ROOT / "widget" / "src" / "resale-offers.js").read_text()
    assert "Math.min(24," in source  # the largest page LARGEST_PAGES assumes
    for path in (OPERATION_FILE, SHOP_OPERATION_FILE):
        document = graphql.parse(path.read_text())
        for tenant in runtime.registry.tenants.values():
            schema = graphql_schema(runtime.graph_for(tenant).schema(private=False))
            assert graphql.validate(schema, document) == [], (path.name, tenant.id)
            variables = LARGEST_PAGES[path.name]
            cost = analyze(document, schema, Limits(), operation_name=None, variables=variables)
            assert 0 < cost.cost <= Limits().max_cost, (path.name, tenant.id, cost.cost)


def contrast(one: str, two: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_default_colours_meet_wcag_aa_on_white() -> None:
    found = re.findall(r"var\(--rg-([a-z-]+),#([0-9a-f]{3}|[0-9a-f]{6})\)", SOURCE_FILE.read_text())
    colours = {name: "#" + (h if len(h) == 6 else "".join(c * 2 for c in h)) for name, h in found}
    assert colours["card-bg"] == "#ffffff"
    for text in ("text", "muted", "error"):  # text on the card
        assert contrast(colours[text], colours["card-bg"]) >= 4.5, text
    assert contrast(colours["accent-text"], colours["accent"]) >= 4.5  # the buttons
    # Non-text: the focus ring and the card's edge need 3:1.
    assert contrast(colours["focus"], colours["card-bg"]) >= 3
    assert contrast(colours["border"], colours["card-bg"]) >= 3
    assert contrast(colours["sold-text"], colours["sold"]) >= 4.5  # the "Sold" badge
