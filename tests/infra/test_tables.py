"""The tables equal graph.store's specs and are protected; Kinesis is optional.

The listings table's indexes depend on the tenant: the shop's own, and two per custom
field its extension declares `indexed`. The module takes those fields as
`indexed_listing_fields`; each example tenant's tables are compared with
`tenant_table_specs(...)` of the fields its extension file declares, so a field indexed
in the extension but not in the example (or the reverse) fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from graph.bounds import CONDITION_FACET, MAX_GSIS, MAX_INDEXED_FIELDS
from graph.extensions.spec import FIELD_NAME
from graph.store import CONNECTIONS, UPLOADS, IndexedField, TableSpec, max_indexed_fields
from tests.infra.hcl import EXAMPLE_TENANTS, Config, _block, _blocks, _expanded_blocks, module
from tests.infra.specs import (
    _physical_names,
    _tables_by_logical_name,
    declared_indexed_fields,
    deployment_specs,
    example_indexed_listing_fields,
)

#: Tables of short-lived items, each expiring by TTL: not replicated.
SHORT_LIVED = {spec.name: spec for spec in (CONNECTIONS, UPLOADS)}


def _table_request(config: Config, body: dict[str, Any]) -> dict[str, Any]:
    """Rebuild a CreateTable request, in TableSpec.create_table_request's shape."""

    def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
        schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        if range_key is not None:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        return schema

    name = body["name"].replace("${var.stage}", "STAGE").replace("${var.tenant_id}", "TENANT")
    request: dict[str, Any] = {
        "TableName": name,
        "BillingMode": body.get("billing_mode", "PROVISIONED"),
        "KeySchema": key_schema(body["hash_key"], body.get("range_key")),
        "AttributeDefinitions": sorted(
            (
                {"AttributeName": a["name"], "AttributeType": a["type"]}
                for a in _expanded_blocks(config, body, "attribute")
            ),
            key=lambda d: d["AttributeName"],
        ),
    }
    indexes = _expanded_blocks(config, body, "global_secondary_index")
    if indexes:
        request["GlobalSecondaryIndexes"] = sorted(
            (
                {
                    "IndexName": index["name"],
                    "KeySchema": key_schema(index["hash_key"], index.get("range_key")),
                    "Projection": {"ProjectionType": index["projection_type"]},
                }
                for index in indexes
            ),
            key=lambda d: d["IndexName"],
        )
    if config.evaluate(body.get("stream_enabled", False)):
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": config.evaluate(body.get("stream_view_type")),
        }
    return request


def _expected_request(spec: TableSpec) -> dict[str, Any]:
    request = spec.create_table_request(_physical_names()[spec.name])
    request["AttributeDefinitions"].sort(key=lambda d: d["AttributeName"])
    if "GlobalSecondaryIndexes" in request:
        request["GlobalSecondaryIndexes"].sort(key=lambda d: d["IndexName"])
    return request


def _drift(config: Config, specs: tuple[TableSpec, ...]) -> dict[str, tuple[Any, Any]]:
    """Tables whose CreateTable request differs from their spec's: name -> (module, spec)."""
    tables = _tables_by_logical_name(config)
    expected = {spec.name: _expected_request(spec) for spec in specs}
    actual = {name: _table_request(config, body) for name, body in tables.items()}
    assert sorted(actual) == sorted(expected), "the module's tables are not the specs' tables"
    return {
        name: (actual[name], request)
        for name, request in expected.items()
        if actual[name] != request
    }


def _index_names(request: dict[str, Any]) -> list[str]:
    return [index["IndexName"] for index in request.get("GlobalSecondaryIndexes", [])]


def test_tables_match_table_specs() -> None:
    """Keys, attribute types, GSIs, projections and streams equal the code's specs.

    Evaluated with the module's defaults: no replicas (with replicas, DynamoDB global
    tables force a NEW_AND_OLD_IMAGES stream on every table) and no indexed fields
    (the listings table has its own and the shop's indexes only).
    """
    drift = _drift(module(), deployment_specs())
    assert not drift, f"aws_dynamodb_table drifted from its spec: {sorted(drift)}"


@pytest.mark.parametrize("tenant", EXAMPLE_TENANTS)
def test_example_tables_match_their_extension(tenant: str) -> None:
    """examples/<tenant> creates the listings indexes its extension declares: the
    module, with the example's `indexed_listing_fields`, equals
    `tenant_table_specs(...)` of the fields tenants/extensions/<tenant>.* declares
    `indexed` (read with the dev stack's own functions)."""
    declared = declared_indexed_fields(tenant)
    passed = example_indexed_listing_fields(tenant)
    config = module().assuming(indexed_listing_fields=passed)
    drift = _drift(config, deployment_specs(declared))
    if "listings" in drift:
        actual, expected = drift["listings"]
        missing = sorted(set(_index_names(expected)) - set(_index_names(actual)))
        extra = sorted(set(_index_names(actual)) - set(_index_names(expected)))
        pytest.fail(
            f"examples/{tenant}: indexed_listing_fields = {passed}, but "
            f"tenants/extensions/{tenant} declares indexed {[f.name for f in declared]}; "
            f"the listings table lacks {missing} and has {extra} beyond its spec"
        )
    assert not drift, f"examples/{tenant}: tables drifted from their specs: {sorted(drift)}"


def test_most_indexed_fields_fill_the_table() -> None:
    """The most fields a tenant may index give the listings table exactly the specs'
    indexes, within DynamoDB's 20 per table."""
    names = [f"field_{n}" for n in range(max_indexed_fields())]
    config = module().assuming(indexed_listing_fields=names)
    drift = _drift(config, deployment_specs(IndexedField.of([(n, None) for n in names])))
    assert not drift, f"aws_dynamodb_table drifted from its spec: {sorted(drift)}"
    listings = _tables_by_logical_name(config)["listings"]
    indexes = _expanded_blocks(config, listings, "global_secondary_index")
    assert len(indexes) == 5 + 2 * len(names) <= MAX_GSIS


def test_indexed_listing_fields_are_validated_as_the_extension_check_does() -> None:
    """The variable refuses what graph/extensions refuses: names not matching
    FIELD_NAME, more than MAX_INDEXED_FIELDS, a field twice, the `condition` facet."""
    config = module()
    assert config.default("indexed_listing_fields") == []
    variable = config.variables["indexed_listing_fields"]
    assert variable.get("nullable") is False
    conditions = [str(v["condition"]) for v in _blocks(variable, "validation")]
    joined = "\n".join(conditions)
    assert f'regex("{FIELD_NAME}", field)' in joined, "the field-name rule is not FIELD_NAME"
    assert "for field in var.indexed_listing_fields" in joined
    bound = re.findall(r"length\(var\.indexed_listing_fields\)\s*<=\s*(\d+)", joined)
    assert bound == [str(MAX_INDEXED_FIELDS)] == [str(max_indexed_fields())], bound
    assert (
        "length(distinct(var.indexed_listing_fields)) == length(var.indexed_listing_fields)"
        in joined
    )
    assert f'!contains(var.indexed_listing_fields, "{CONDITION_FACET}")' in joined


def test_tables_are_protected() -> None:
    config = module()
    kms_keys = set(config.resources_of("aws_kms_key"))
    assert kms_keys, "the module must create its own customer-managed KMS key"
    for name, body in _tables_by_logical_name(config).items():
        assert body.get("billing_mode") == "PAY_PER_REQUEST", name
        assert _block(body, "point_in_time_recovery").get("enabled") is True, name
        sse = _block(body, "server_side_encryption")
        assert sse.get("enabled") is True, name
        assert re.fullmatch(r"\$\{aws_kms_key\.\w+\.arn\}", str(sse.get("kms_key_arn"))), name
        protection = body.get("deletion_protection_enabled")
        assert config.evaluate(protection) is True, f"{name}: deletion protection is off by default"
        if name in SHORT_LIVED:
            # Region-local by nature (API Gateway holds the sockets; a staged upload is in
            # this region's bucket for minutes); each item expires by TTL.
            ttl = _block(body, "ttl")
            assert ttl.get("enabled") is True, name
            assert ttl.get("attribute_name") == SHORT_LIVED[name].extra["ttl_attribute"], name
            continue
        replicas = [d for d in _blocks(body, "dynamic") if "replica" in d]
        assert replicas, f"{name}: no dynamic replica block"
        assert replicas[0]["replica"]["for_each"] == "${var.replica_regions}", name
    assert config.default("replica_regions") == []
    for key in config.resources_of("aws_kms_key").values():
        assert key.get("enable_key_rotation") is True


def test_kinesis_destination_is_optional() -> None:
    config = module()
    destinations = config.resources_of("aws_dynamodb_kinesis_streaming_destination")
    assert destinations, "no aws_dynamodb_kinesis_streaming_destination"
    for body in destinations.values():
        assert "var.create_kinesis_streaming_destination" in body["for_each"]
        assert body["stream_arn"] == "${local.kinesis_stream_arn}"
    chosen = str(config.locals["kinesis_stream_arn"])
    assert "var.create_kinesis_stream ?" in chosen
    assert "aws_kinesis_stream.changes[0].arn" in chosen
    assert chosen.endswith("var.kinesis_stream_arn}")
    assert config.default("create_kinesis_streaming_destination") is False
    assert config.default("create_kinesis_stream") is False
    assert config.default("kinesis_stream_arn") is None


def test_created_kinesis_stream_is_encrypted_on_demand_and_off_by_default() -> None:
    config = module()
    (stream,) = config.resources_of("aws_kinesis_stream").values()
    assert stream["count"] == "${var.create_kinesis_stream ? 1 : 0}"
    assert _block(stream, "stream_mode_details")["stream_mode"] == "ON_DEMAND"
    assert stream["encryption_type"] == "KMS"
    assert re.fullmatch(r"\$\{aws_kms_key\.\w+\.arn\}", stream["kms_key_id"])
