"""The guided playground's examples and key picker, without a browser (the browser runs
are in tests/e2e/test_playground_guided.py)."""

from __future__ import annotations

import graphql

from graph.execution.internals import graphql_schema
from graph.playground.examples import examples, picker_config
from graph.registry.tenants import load_registry
from graph.settings import Settings
from graph.tenancy.runtime import Runtime


def dev_runtime(settings: Settings) -> Runtime:
    dev = settings.model_copy(update={"stage": "dev"})
    return Runtime(dev, load_registry(dev.tenants_dir, "dev"))


def test_picker_offers_the_dev_keys_the_gateway_accepts(settings: Settings) -> None:
    runtime = dev_runtime(settings)
    registry = runtime.registry
    config = picker_config(sorted(registry.tenants), registry.authenticate)
    labels = [k["label"] for k in config["keys"]]
    assert labels == [
        f"{t}: {s} key" for t in ("kicks", "threads") for s in ("read", "write", "admin")
    ]
    for entry in config["keys"]:
        principal = registry.authenticate(entry["key"])
        assert principal is not None
        assert (principal.tenant.id, set(principal.scopes)) == (entry["tenant"], {entry["scope"]})
    assert set(config["examples"]) == {"kicks", "threads"}
    # In prod the development keys are refused: no picker entries, no tabs.
    prod = load_registry(settings.tenants_dir, "prod")
    assert picker_config(sorted(prod.tenants), prod.authenticate) == {
        "keys": [],
        "examples": {},
    }


def test_every_example_is_valid_for_its_tenant_and_key(settings: Settings) -> None:
    runtime = dev_runtime(settings)
    for tenant in runtime.registry.tenants.values():
        tabs = examples(tenant.id)
        assert [t.title for t in tabs] == [
            "Product page",
            "Custom-field filter",
            "Seller with listings",
            "History with asOf",
            "createListing (write key)",
            "auditTrail (admin key)",
        ]
        for example in tabs:
            schema = graphql_schema(
                runtime.graph_for(tenant).schema(private=example.scope != "read")
            )
            problems = graphql.validate(schema, graphql.parse(example.query))
            assert problems == [], (tenant.id, example.title, problems)
