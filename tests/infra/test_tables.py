"""The tables equal graph.store's specs and are protected; Kinesis is optional."""

from __future__ import annotations

import re
from typing import Any

from graph.store import CONNECTIONS, DEPLOYMENT_TABLE_SPECS, TableSpec
from tests.infra.hcl import Config, _block, _blocks, module
from tests.infra.specs import _physical_names, _tables_by_logical_name


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
                for a in _blocks(body, "attribute")
            ),
            key=lambda d: d["AttributeName"],
        ),
    }
    indexes = _blocks(body, "global_secondary_index")
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


def test_tables_match_table_specs() -> None:
    """Keys, attribute types, GSIs, projections and streams equal the code's specs.

    Evaluated with the module's defaults (no replicas): with replicas, DynamoDB
    global tables force a NEW_AND_OLD_IMAGES stream on every table.
    """
    config = module()
    tables = _tables_by_logical_name(config)
    expected = {spec.name: _expected_request(spec) for spec in DEPLOYMENT_TABLE_SPECS}
    actual = {name: _table_request(config, body) for name, body in tables.items()}
    assert sorted(actual) == sorted(expected), "the module's tables are not the specs' tables"
    for name, request in expected.items():
        assert actual[name] == request, f"aws_dynamodb_table for {name!r} drifted from its spec"


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
        if name == CONNECTIONS.name:
            # Region-local by nature (API Gateway holds the sockets); expires by TTL.
            ttl = _block(body, "ttl")
            assert ttl.get("enabled") is True
            assert ttl.get("attribute_name") == CONNECTIONS.extra["ttl_attribute"]
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
