"""Static checks of infra/terraform, without a Terraform binary.

The HCL is parsed with python-hcl2 (7.x and 8.x both work: 8.x keeps the quotes of
string literals and block labels and adds `__is_block__` markers, which `_norm`
strips). The expected side of every comparison comes from the code
(`graph.store.tables.TABLE_SPECS`) or from the rules in the infra brief, never from
the .tf files themselves, so each test fails on real drift.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

from graph.store import (
    CONNECTIONS,
    DEPLOYMENT_TABLE_SPECS,
    TABLE_SPECS,
    TableSpec,
    connections_table_name,
    physical_table_names,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TF_ROOT = REPO_ROOT / "infra" / "terraform"
MODULE_DIR = TF_ROOT / "modules" / "tenant-account"
WRAPPER_DIR = TF_ROOT / "wrappers"
EXAMPLE_TENANTS = ("kicks", "threads")

GATEWAY_HANDLER = "graph.lambda_handler.gateway_handler"
AUDIT_HANDLER = "graph.lambda_handler.audit_handler"
WEBSOCKET_HANDLER = "graph.events.handlers.websocket_handler"
FANOUT_HANDLER = "graph.events.handlers.fanout_handler"
MAX_STREAM_RETRIES = 5

ALL_TF_FILES = sorted(TF_ROOT.rglob("*.tf"))


# --------------------------------------------------------------------------- parsing


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _norm(node: Any) -> Any:
    """hcl2 7.x and 8.x output in one shape: no quotes around literals, no markers."""
    if isinstance(node, dict):
        return {_unquote(k): _norm(v) for k, v in node.items() if not k.startswith("__")}
    if isinstance(node, list):
        return [_norm(item) for item in node]
    return _unquote(node)


@cache
def _parse(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = _norm(hcl2.load(handle))
    return parsed


class Config:
    """The blocks of one Terraform module directory, merged across its files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.resources: dict[str, dict[str, dict[str, Any]]] = {}
        self.data: dict[str, dict[str, dict[str, Any]]] = {}
        self.variables: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.locals: dict[str, Any] = {}
        self.modules: dict[str, dict[str, Any]] = {}
        files = sorted(directory.glob("*.tf"))
        assert files, f"no .tf files in {directory}"
        for path in files:
            doc = _parse(path)
            for kind, target in (("resource", self.resources), ("data", self.data)):
                for entry in doc.get(kind, []):
                    for type_, named in entry.items():
                        for name, body in named.items():
                            target.setdefault(type_, {})[name] = body
            for entry in doc.get("variable", []):
                self.variables.update(entry)
            for entry in doc.get("output", []):
                self.outputs.update(entry)
            for entry in doc.get("module", []):
                self.modules.update(entry)
            for entry in doc.get("locals", []):
                self.locals.update(entry)

    def resources_of(self, type_: str) -> dict[str, dict[str, Any]]:
        return self.resources.get(type_, {})

    def default(self, variable: str) -> Any:
        assert variable in self.variables, f"variable {variable!r} is not declared"
        return self.variables[variable].get("default")

    def resolve(self, value: Any) -> Any:
        """Replace a whole-value `${local.x}` reference by the local's value, recursively."""
        if isinstance(value, str):
            match = re.fullmatch(r"\$\{local\.(\w+)\}", value)
            if match:
                assert match.group(1) in self.locals, f"undeclared local {match.group(1)!r}"
                return self.resolve(self.locals[match.group(1)])
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def evaluate(self, value: Any) -> Any:
        """Evaluate the few expression forms the tables use, with variable defaults.

        Unknown forms fail loudly, so a new construct makes the test be extended
        instead of being read wrongly.
        """
        if not isinstance(value, str):
            return value
        match = re.fullmatch(r"\$\{(.*)\}", value, re.DOTALL)
        return self._expression(match.group(1).strip()) if match else value

    def _expression(self, text: str) -> Any:
        if text in ("null", "None"):
            return None
        if text in ("true", "false"):
            return text == "true"
        if re.fullmatch(r'"[^"]*"|\'[^\']*\'', text):
            return text[1:-1]
        if match := re.fullmatch(r"local\.(\w+)", text):
            return self.evaluate(self.locals[match.group(1)])
        if match := re.fullmatch(r"var\.(\w+)", text):
            return self.default(match.group(1))
        if match := re.fullmatch(r"length\(var\.(\w+)\) > 0", text):
            return len(self.default(match.group(1)) or ()) > 0
        if match := re.fullmatch(r"(.+?) \? (.+?) : (.+)", text):
            condition, yes, no = match.groups()
            return self._expression(yes) if self._expression(condition) else self._expression(no)
        raise AssertionError(f"test_terraform cannot evaluate `{text}`; extend Config._expression")


@cache
def module() -> Config:
    return Config(MODULE_DIR)


def _blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Nested blocks `name { ... }` of a body (hcl2 gives a list of dicts, or one dict)."""
    found = body.get(name, [])
    return found if isinstance(found, list) else [found]


def _block(body: dict[str, Any], name: str) -> dict[str, Any]:
    found = _blocks(body, name)
    assert len(found) == 1, f"expected exactly one {name!r} block, found {len(found)}"
    return found[0]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _var_reference(value: Any) -> str | None:
    match = re.fullmatch(r"\$\{var\.(\w+)\}", value) if isinstance(value, str) else None
    return match.group(1) if match else None


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("path", ALL_TF_FILES, ids=lambda p: str(p.relative_to(TF_ROOT)))
def test_tf_file_parses(path: Path) -> None:
    assert isinstance(_parse(path), dict)


def test_layout() -> None:
    assert ALL_TF_FILES, "no .tf files under infra/terraform"
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (MODULE_DIR / name).is_file(), f"modules/tenant-account/{name} is missing"
    for tenant in EXAMPLE_TENANTS:
        root = TF_ROOT / "examples" / tenant
        assert (root / "versions.tf").is_file(), f"examples/{tenant}/versions.tf is missing"
        assert (root / "terraform.tfvars.example").is_file(), f"examples/{tenant} lacks tfvars"


# --------------------------------------------------------------------------- tables


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


def _physical_names() -> dict[str, str]:
    """Logical -> physical names of every table a tenant account deploys."""
    return {
        **physical_table_names("STAGE", "TENANT"),
        CONNECTIONS.name: connections_table_name("STAGE", "TENANT"),
    }


def _expected_request(spec: TableSpec) -> dict[str, Any]:
    request = spec.create_table_request(_physical_names()[spec.name])
    request["AttributeDefinitions"].sort(key=lambda d: d["AttributeName"])
    if "GlobalSecondaryIndexes" in request:
        request["GlobalSecondaryIndexes"].sort(key=lambda d: d["IndexName"])
    return request


def _tables_by_logical_name(config: Config) -> dict[str, dict[str, Any]]:
    physical_to_logical = {v: k for k, v in _physical_names().items()}
    tables: dict[str, dict[str, Any]] = {}
    for address, body in config.resources_of("aws_dynamodb_table").items():
        physical = (
            body["name"].replace("${var.stage}", "STAGE").replace("${var.tenant_id}", "TENANT")
        )
        assert physical in physical_to_logical, (
            f"aws_dynamodb_table.{address} is named {body['name']!r}, which is not "
            f"`${{var.stage}}-${{var.tenant_id}}-<table>` for a table in DEPLOYMENT_TABLE_SPECS"
        )
        tables[physical_to_logical[physical]] = body
    return tables


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


# --------------------------------------------------------------------------- audit


def _validation_bounds(config: Config, variable: str) -> tuple[float | None, float | None]:
    """Lower and upper bound a variable's validation conditions enforce."""
    low: float | None = None
    high: float | None = None
    ref = re.escape(f"var.{variable}")
    for validation in _blocks(config.variables[variable], "validation"):
        condition = str(validation["condition"])
        for op, number in re.findall(ref + r"\s*(<=|<|>=|>)\s*(-?\d+)", condition):
            n = float(number)
            if op == "<=":
                high = n if high is None else min(high, n)
            elif op == "<":
                high = n - 1 if high is None else min(high, n - 1)
            elif op == ">=":
                low = n if low is None else max(low, n)
            else:
                low = n + 1 if low is None else max(low, n + 1)
    return low, high


def _numeric_setting(
    config: Config, value: Any, what: str
) -> tuple[Any, float | None, float | None]:
    """(default, lower bound, upper bound) of a literal or a `var.x` reference."""
    variable = _var_reference(value)
    if variable is None:
        assert isinstance(value, (int, float)), (
            f"{what} must be a number or a variable, not {value!r}"
        )
        return value, value, value
    low, high = _validation_bounds(config, variable)
    return config.default(variable), low, high


def test_stream_event_source_mappings() -> None:
    config = module()
    mappings = config.resources_of("aws_lambda_event_source_mapping")
    assert mappings, "no aws_lambda_event_source_mapping"
    functions = config.resources_of("aws_lambda_function")
    queues = config.resources_of("aws_sqs_queue")
    consumed: set[str] = set()
    fanned_out: set[str] = set()

    for address, body in mappings.items():
        where = f"aws_lambda_event_source_mapping.{address}"
        assert body.get("bisect_batch_on_function_error") is True, where
        assert "ReportBatchItemFailures" in body.get("function_response_types", []), where
        assert body.get("starting_position") == "TRIM_HORIZON", where

        retries, low, high = _numeric_setting(config, body.get("maximum_retry_attempts"), where)
        assert retries is not None, f"{where}: maximum_retry_attempts is not set"
        assert 0 <= retries <= MAX_STREAM_RETRIES, f"{where}: {retries} retries by default"
        assert high is not None, f"{where}: no validation caps the retries"
        assert high <= MAX_STREAM_RETRIES, f"{where}: validation allows {high} (> 5) retries"
        assert low is not None, f"{where}: no validation rules out -1 (infinite retries)"
        assert low >= 0, f"{where}: validation allows -1 (infinite retries)"

        age, low, high = _numeric_setting(config, body.get("maximum_record_age_in_seconds"), where)
        assert age is not None, f"{where}: maximum_record_age_in_seconds is not set"
        assert 60 <= age <= 604800, f"{where}: maximum_record_age_in_seconds {age}"
        assert low is not None, f"{where}: no validation rules out -1 (infinite age)"
        assert low >= 60, f"{where}: validation allows -1 (infinite age)"

        on_failure = _block(_block(body, "destination_config"), "on_failure")
        destination = str(on_failure.get("destination_arn", ""))
        queue = re.fullmatch(r"\$\{aws_sqs_queue\.(\w+)\.arn\}", destination)
        assert queue, f"{where}: on_failure goes to {destination!r}, not an SQS queue"
        assert queue.group(1) in queues, f"{where}: on_failure is not this module's SQS queue"
        assert queues[queue.group(1)].get("kms_master_key_id"), f"{where}: DLQ is not KMS-encrypted"

        function = re.search(r"aws_lambda_function\.(\w+)\.", body["function_name"])
        assert function, f"{where}: function_name is not this module's function"
        handler = functions[function.group(1)]["handler"]
        assert handler in (AUDIT_HANDLER, FANOUT_HANDLER), where

        sources = [body["event_source_arn"]]
        if body["event_source_arn"] == "${each.value}":
            sources = list(_strings(config.resolve(body["for_each"])))
        for source in sources:
            tables = re.findall(r"aws_dynamodb_table\.(\w+)\.stream_arn", source)
            if handler == AUDIT_HANDLER:
                consumed.update(tables)
            else:
                fanned_out.update(tables)

    tables = _tables_by_logical_name(config)
    addresses = {
        name: address
        for address, body in config.resources_of("aws_dynamodb_table").items()
        for name, table in tables.items()
        if table is body
    }
    streamed = {addresses[spec.name] for spec in TABLE_SPECS if spec.stream is not None}
    assert consumed == streamed, "the audit function must consume exactly the streamed tables"
    assert fanned_out == {"listings"}, "the fan-out function consumes the listings stream only"


def test_alarms() -> None:
    config = module()
    metrics = {
        (body.get("namespace"), body.get("metric_name"))
        for body in config.resources_of("aws_cloudwatch_metric_alarm").values()
    }
    for wanted in [
        ("AWS/Lambda", "IteratorAge"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("ResaleGraph", "ServerErrors"),
    ]:
        assert wanted in metrics, f"no alarm on {wanted}"
    # The EMF metric's dimensions are the tenant and Powertools' service name (the
    # gateway function's POWERTOOLS_SERVICE_NAME): an alarm on any other set sees nothing.
    alarm = config.resources_of("aws_cloudwatch_metric_alarm")["server_errors"]
    assert set(alarm["dimensions"]) == {"tenant", "service"}
    assert alarm["dimensions"]["service"] == "resale-graph-gateway"
    assert (
        'POWERTOOLS_SERVICE_NAME = "resale-graph-gateway"' in (MODULE_DIR / "lambda.tf").read_text()
    )
    assert config.default("alarm_sns_topic_arn") is None


# --------------------------------------------------------------------------- lambda + api


def test_lambda_functions() -> None:
    config = module()
    functions = {
        body["handler"]: body for body in config.resources_of("aws_lambda_function").values()
    }
    assert set(functions) == {GATEWAY_HANDLER, AUDIT_HANDLER, WEBSOCKET_HANDLER, FANOUT_HANDLER}
    for handler, body in functions.items():
        assert body["runtime"] == "python3.12", handler
        assert body["architectures"] == ["${var.lambda_architecture}"], handler
        assert body["filename"] == "${var.lambda_package_path}", handler
        assert _block(body, "tracing_config")["mode"] == "Active", handler
        assert "reserved_concurrent_executions" in body, handler
    arch = config.variables["lambda_architecture"]
    conditions = " ".join(str(v["condition"]) for v in _blocks(arch, "validation"))
    assert "x86_64" in conditions
    assert "arm64" in conditions
    # The cursor secret travels by ARN only: no default, never a value in the environment.
    assert "default" not in config.variables["cursor_secret_arn"]
    environment = str(_block(functions[GATEWAY_HANDLER], "environment")["variables"])
    assert "GRAPH_CURSOR_SECRET_ARN" in environment
    assert not re.search(r"GRAPH_CURSOR_SECRET\b(?!_)", environment)


def test_http_api_routes_and_stage() -> None:
    config = module()
    routes: set[str] = set()
    for body in config.resources_of("aws_apigatewayv2_route").values():
        if body["api_id"] != "${aws_apigatewayv2_api.this.id}":
            continue  # the WebSocket API: test_websocket_api_routes
        if body["route_key"] == "${each.value}":
            routes.update(re.findall(r"[A-Z]+ /[\w./]+", str(config.resolve(body["for_each"]))))
        else:
            routes.add(body["route_key"])
    assert routes == {
        "POST /graphql",
        "GET /graphql",
        "OPTIONS /graphql",
        "GET /schema.graphql",
        "GET /healthz",
    }
    stage = config.resources_of("aws_apigatewayv2_stage")["this"]
    assert stage["name"] == "$default"
    settings = _block(stage, "default_route_settings")
    assert _var_reference(settings["throttling_burst_limit"])
    assert _var_reference(settings["throttling_rate_limit"])
    log_format = str(_block(stage, "access_log_settings")["format"])
    assert log_format.startswith("${jsonencode("), "access logs must be JSON"
    assert "$context.requestId" in log_format


# --------------------------------------------------------------------------- iam


def _covers_dynamodb(action: str) -> bool:
    return fnmatch.fnmatchcase("dynamodb:GetItem", action) or action.startswith("dynamodb:")


def _dynamodb_resource_problems(resource: str) -> list[str]:
    problems = []
    if resource.strip() == "*":
        problems.append('"*"')
    elif "*" in resource and not re.fullmatch(
        r"\$\{aws_dynamodb_table\.\w+\.arn\}/(index|stream)/\*", resource
    ):
        problems.append(f"wildcard ARN {resource!r}")
    if "*" not in resource and "aws_dynamodb_table." not in resource:
        problems.append(f"{resource!r} is not one of this module's tables")
    return problems


def _statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from _blocks(document, "statement")
    for dynamic in _blocks(document, "dynamic"):
        if "statement" in dynamic:
            yield from _blocks(dynamic["statement"], "content")


def _all_configs() -> list[Config]:
    return [Config(d) for d in sorted({p.parent for p in ALL_TF_FILES})]


def test_no_wildcard_dynamodb_resources_in_iam() -> None:
    violations: list[str] = []
    for config in _all_configs():
        where_dir = config.directory.relative_to(TF_ROOT)
        for name, document in config.data.get("aws_iam_policy_document", {}).items():
            for statement in _statements(document):
                if statement.get("effect", "Allow") != "Allow":
                    continue
                actions = statement.get("actions", [])
                action_list = actions if isinstance(actions, list) else [actions]
                if not any(_covers_dynamodb(str(a)) or "dynamodb:" in str(a) for a in action_list):
                    continue
                where = (
                    f"{where_dir}: data.aws_iam_policy_document.{name} {statement.get('sid', '')}"
                )
                if "not_resources" in statement:
                    violations.append(f"{where}: not_resources with DynamoDB actions")
                granted = list(_strings(config.resolve(statement.get("resources", ["*"]))))
                for resource in granted:
                    violations += [f"{where}: {p}" for p in _dynamodb_resource_problems(resource)]
                if any(a in ("*", "dynamodb:*") for a in action_list):
                    violations.append(f"{where}: wildcard action {actions!r}")

        # Inline JSON policies must not carry DynamoDB grants this test cannot read.
        for type_, resources in config.resources.items():
            for name, body in resources.items():
                for key in ("policy", "inline_policy"):
                    value = body.get(key)
                    if not isinstance(value, str) or "dynamodb:" not in value:
                        continue
                    where = f"{where_dir}: {type_}.{name}.{key}"
                    try:
                        document = json.loads(value)
                    except ValueError:
                        violations.append(
                            f"{where}: declare DynamoDB grants in aws_iam_policy_document"
                        )
                        continue
                    for statement in document.get("Statement", []):
                        acts = statement.get("Action", [])
                        acts = acts if isinstance(acts, list) else [acts]
                        if not any(_covers_dynamodb(a) for a in acts):
                            continue
                        res = statement.get("Resource", [])
                        for resource in res if isinstance(res, list) else [res]:
                            violations += [
                                f"{where}: {p}" for p in _dynamodb_resource_problems(resource)
                            ]
    assert not violations, "DynamoDB IAM grants must name this tenant's tables:\n" + "\n".join(
        violations
    )


def _dynamodb_grants(config: Config, document: dict[str, Any]) -> set[tuple[str, str]]:
    """(action, target) pairs, target = `<table>` or `<table>/index` or `<table>/stream`."""
    grants: set[tuple[str, str]] = set()
    for statement in _statements(document):
        actions = [a for a in statement.get("actions", []) if str(a).startswith("dynamodb:")]
        for resource in _strings(config.resolve(statement.get("resources", []))):
            for table in set(re.findall(r"aws_dynamodb_table\.(\w+)\.", resource)):
                if "/index/" in resource or ".global_secondary_index" in resource:
                    target = f"{table}/index"
                elif "/stream/" in resource or ".stream_arn" in resource:
                    target = f"{table}/stream"
                else:
                    target = table
                grants.update((action, target) for action in actions)
    return grants


def _policy_document_by_handler(config: Config) -> dict[str, dict[str, Any]]:
    documents = config.data["aws_iam_policy_document"]
    policies_by_role: dict[str, list[str]] = {}
    for body in config.resources_of("aws_iam_role_policy").values():
        role = re.search(r"aws_iam_role\.(\w+)\.", body["role"])
        document = re.search(r"data\.aws_iam_policy_document\.(\w+)\.json", body["policy"])
        assert role, f"role policy {body} is not attached to this module's role"
        assert document, f"role policy {body} must use an aws_iam_policy_document"
        policies_by_role.setdefault(role.group(1), []).append(document.group(1))
    result = {}
    for body in config.resources_of("aws_lambda_function").values():
        function_role = re.search(r"aws_iam_role\.(\w+)\.", body["role"])
        assert function_role, f"{body['handler']}: role is not this module's aws_iam_role"
        (document_name,) = policies_by_role[function_role.group(1)]
        result[body["handler"]] = documents[document_name]
    return result


def test_roles_are_least_privilege() -> None:
    config = module()
    documents = _policy_document_by_handler(config)
    roles = [body["role"] for body in config.resources_of("aws_lambda_function").values()]
    assert len(set(roles)) == len(roles) == 4, "each function needs its own role"

    gateway = _dynamodb_grants(config, documents[GATEWAY_HANDLER])
    read_write = {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
    }
    allowed_gateway = (
        {(a, t) for a in read_write for t in ("listings", "sellers")}
        | {("dynamodb:Query", "listings/index"), ("dynamodb:Query", "history/index")}
        | {("dynamodb:GetItem", "history"), ("dynamodb:Query", "history")}
    )
    assert gateway, "the gateway has no DynamoDB grants"
    assert gateway <= allowed_gateway, (
        f"gateway grants too much: {sorted(gateway - allowed_gateway)}"
    )
    for action in read_write:
        assert (action, "listings") in gateway, f"gateway lacks {action} on listings"

    audit = _dynamodb_grants(config, documents[AUDIT_HANDLER])
    stream_read = {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    }
    allowed_audit = {(a, f"{t}/stream") for a in stream_read for t in ("listings", "sellers")} | {
        ("dynamodb:PutItem", "history")
    }
    assert audit <= allowed_audit, f"audit grants too much: {sorted(audit - allowed_audit)}"
    assert ("dynamodb:PutItem", "history") in audit

    websocket = _dynamodb_grants(config, documents[WEBSOCKET_HANDLER])
    keep = {"GetItem", "PutItem", "DeleteItem", "Query", "BatchWriteItem"}
    assert websocket == {(f"dynamodb:{a}", "connections") for a in keep}

    fanout = _dynamodb_grants(config, documents[FANOUT_HANDLER])
    reads = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
    allowed_fanout = (
        {(a, "listings/stream") for a in stream_read}
        | {("dynamodb:Query", "connections/index"), ("dynamodb:Query", "listings/index")}
        | {(a, "connections") for a in ("dynamodb:GetItem", "dynamodb:Query")}
        | {("dynamodb:BatchWriteItem", "connections")}
        | {(a, t) for a in reads for t in ("listings", "sellers")}
    )
    assert fanout <= allowed_fanout, f"fan-out grants too much: {sorted(fanout - allowed_fanout)}"
    assert ("dynamodb:GetRecords", "listings/stream") in fanout
    assert ("dynamodb:Query", "connections/index") in fanout


def _manage_connections_resources(config: Config, document: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for statement in _statements(document):
        actions = statement.get("actions", [])
        if any(str(a).startswith("execute-api:") for a in actions):
            assert actions == ["execute-api:ManageConnections"], actions
            found += list(_strings(config.resolve(statement.get("resources", ["*"]))))
    return found


def test_only_the_websocket_functions_manage_connections_of_their_api() -> None:
    config = module()
    documents = _policy_document_by_handler(config)
    for handler, document in documents.items():
        resources = _manage_connections_resources(config, document)
        if handler in (GATEWAY_HANDLER, AUDIT_HANDLER):
            assert resources == [], f"{handler} must not post to WebSocket connections"
            continue
        assert resources, f"{handler} cannot post to its connections"
        for resource in resources:
            assert resource.startswith("${aws_apigatewayv2_api.websocket.execution_arn}/"), (
                f"{handler}: ManageConnections on {resource!r}, not on this module's WebSocket API"
            )
            assert resource.endswith("/@connections/*"), resource


def test_websocket_api_routes() -> None:
    config = module()
    apis = config.resources_of("aws_apigatewayv2_api")
    assert apis["websocket"]["protocol_type"] == "WEBSOCKET"
    routes = {
        route
        for body in config.resources_of("aws_apigatewayv2_route").values()
        if "websocket" in body["api_id"]
        for route in re.findall(r"\$[a-z]+", str(config.resolve(body["for_each"])))
    }
    assert routes >= {"$connect", "$disconnect", "$default"}
    stage = config.resources_of("aws_apigatewayv2_stage")["websocket"]
    assert _block(stage, "access_log_settings")["destination_arn"]


# --------------------------------------------------------------------------- interface


def test_variables_and_outputs_are_documented() -> None:
    config = module()
    for name, body in config.variables.items():
        assert str(body.get("description", "")).strip(), f"variable {name} has no description"
        assert "type" in body, f"variable {name} has no type"
    prefixes = (
        "dynamodb_",
        "kms_",
        "lambda_",
        "iam_",
        "cloudwatch_",
        "apigatewayv2_",
        "sqs_",
        "kinesis_",
    )
    for name, body in config.outputs.items():
        assert str(body.get("description", "")).strip(), f"output {name} has no description"
        assert name.startswith(prefixes), f"output {name} is not prefixed by its resource"


def test_readme_documents_every_variable_and_output() -> None:
    readme = (TF_ROOT / "README.md").read_text(encoding="utf-8")
    config = module()
    missing = [f"variable {n}" for n in config.variables if f"| `{n}` |" not in readme]
    missing += [f"output {n}" for n in config.outputs if f"| `{n}` |" not in readme]
    assert not missing, f"infra/terraform/README.md does not document: {missing}"


def test_wrapper_passes_every_variable() -> None:
    (call,) = Config(WRAPPER_DIR).modules.values()
    passed = set(call) - {"source", "for_each", "providers", "depends_on"}
    assert passed == set(module().variables)


@pytest.mark.parametrize("tenant", EXAMPLE_TENANTS)
def test_examples_assume_a_role_in_the_tenant_account(tenant: str) -> None:
    config = Config(TF_ROOT / "examples" / tenant)
    (call,) = config.modules.values()
    assert call["source"] == "../../modules/tenant-account"
    assert call["tenant_id"] == tenant
    providers = [
        block["aws"]
        for path in sorted(config.directory.glob("*.tf"))
        for block in _parse(path).get("provider", [])
        if "aws" in block
    ]
    assert len(providers) == 1, f"examples/{tenant} needs one aws provider"
    assume_role = _block(providers[0], "assume_role")
    assert assume_role["role_arn"] == "${var.tenant_role_arn}"
    assert assume_role.get("session_name")


# --------------------------------------------------------------------------- checkov


def _checkov_summary(stdout: str, stderr: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    start = min((i for i in (stdout.find("{"), stdout.find("[")) if i >= 0), default=-1)
    assert start >= 0, f"checkov printed no JSON:\n{stdout[-2000:]}\n{stderr[-3000:]}"
    reports = json.loads(stdout[start:])
    reports = reports if isinstance(reports, list) else [reports]
    summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}
    failed: list[dict[str, Any]] = []
    for report in reports:
        counts = report.get("summary", report)
        for key in summary:
            summary[key] += int(counts.get(key, 0) or 0)
        failed += report.get("results", {}).get("failed_checks", [])
    return summary, failed


def test_checkov_reports_no_failed_checks() -> None:
    checkov = Path(os.environ.get("CHECKOV_BIN", ".venv-infra/bin/checkov"))
    if not checkov.is_absolute():
        checkov = REPO_ROOT / checkov
    if not checkov.exists():
        pytest.fail(
            f"checkov not found at {checkov}: run `make infra-tools` (it creates .venv-infra), "
            "or point CHECKOV_BIN at a checkov executable."
        )
    result = subprocess.run(
        [
            str(checkov),
            "--framework",
            "terraform",
            "--compact",
            "--quiet",
            "--skip-download",  # offline: no guideline download from Prisma Cloud
            "-o",
            "json",
            "-d",
            "infra/terraform",
        ],
        cwd=REPO_ROOT,
        # checkov's own `hcl2` (bc-python-hcl2) must not be shadowed by the test's.
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    summary, failed = _checkov_summary(result.stdout, result.stderr)
    details = "\n".join(
        f"  {check['check_id']} {check.get('resource')} "
        f"({check.get('file_path')}:{check.get('file_line_range')}) {check.get('check_name')}"
        for check in failed
    )
    assert summary["failed"] == 0, f"checkov failed checks ({summary}):\n{details}"
    assert not failed, f"checkov failed checks ({summary}):\n{details}"
    assert summary["parsing_errors"] == 0, f"checkov could not parse some files: {summary}"
    assert summary["resource_count"] > 0, (
        f"checkov scanned no resources: {summary}\n{result.stderr[-2000:]}"
    )
