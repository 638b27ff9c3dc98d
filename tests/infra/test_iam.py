"""Least privilege: every grant names this tenant's resources, exactly the set each
function needs."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from graph.domain import TRANSITIONS
from graph.store import facet_key
from tests.infra.hcl import (
    AUDIT_HANDLER,
    FANOUT_HANDLER,
    GATEWAY_HANDLER,
    TF_ROOT,
    WEBSOCKET_HANDLER,
    Config,
    _blocks,
    _strings,
    module,
)
from tests.infra.policies import (
    S3_PREFIX_ARN,
    _all_configs,
    _policy_document_by_handler,
    _s3_grants,
    _statements,
)


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
        # Staging puts an upload's record; attaching claims (and releases) it.
        | {("dynamodb:BatchWriteItem", "uploads"), ("dynamodb:UpdateItem", "uploads")}
    )
    assert gateway, "the gateway has no DynamoDB grants"
    assert gateway <= allowed_gateway, (
        f"gateway grants too much: {sorted(gateway - allowed_gateway)}"
    )
    for action in read_write:
        assert (action, "listings") in gateway, f"gateway lacks {action} on listings"
    for action in ("dynamodb:BatchWriteItem", "dynamodb:UpdateItem"):
        assert (action, "uploads") in gateway, f"gateway lacks {action} on uploads"

    audit = _dynamodb_grants(config, documents[AUDIT_HANDLER])
    stream_read = {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    }
    # PutItem appends history entries; UpdateItem is the facet counters' ADD inside the
    # same TransactWriteItems, on counter items only (test_audit_updates_only_...).
    allowed_audit = {(a, f"{t}/stream") for a in stream_read for t in ("listings", "sellers")} | {
        ("dynamodb:PutItem", "history"),
        ("dynamodb:UpdateItem", "history"),
    }
    assert audit <= allowed_audit, f"audit grants too much: {sorted(audit - allowed_audit)}"
    assert ("dynamodb:PutItem", "history") in audit
    assert ("dynamodb:UpdateItem", "history") in audit

    websocket = _dynamodb_grants(config, documents[WEBSOCKET_HANDLER])
    keep = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchWriteItem"}
    assert websocket == {(f"dynamodb:{a}", "connections") for a in keep}

    fanout = _dynamodb_grants(config, documents[FANOUT_HANDLER])
    reads = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
    allowed_fanout = (
        {(a, "listings/stream") for a in stream_read}
        | {("dynamodb:Query", "connections/index"), ("dynamodb:Query", "listings/index")}
        | {(a, "connections") for a in ("dynamodb:GetItem", "dynamodb:Query")}
        # a gone connection's items and the release of its quota counters, one transaction
        | {(a, "connections") for a in ("dynamodb:DeleteItem", "dynamodb:UpdateItem")}
        | {(a, t) for a in reads for t in ("listings", "sellers")}
    )
    assert fanout <= allowed_fanout, f"fan-out grants too much: {sorted(fanout - allowed_fanout)}"
    assert ("dynamodb:GetRecords", "listings/stream") in fanout
    assert ("dynamodb:Query", "connections/index") in fanout


def test_audit_updates_only_the_facet_counter_items_of_history() -> None:
    """The audit role's UpdateItem (the shop's facet counters) is on history only, under
    a `dynamodb:LeadingKeys` condition that admits the counter items the consumer
    writes (graph/store/facets.py) and no history entry: the audit trail stays
    append-only for it."""
    config = module()
    document = _policy_document_by_handler(config)[AUDIT_HANDLER]
    updates = [
        statement
        for statement in _statements(document)
        if "dynamodb:UpdateItem" in statement.get("actions", [])
    ]
    assert len(updates) == 1, "the audit role needs exactly one UpdateItem statement"
    (statement,) = updates
    assert statement.get("effect", "Allow") == "Allow"
    assert statement["actions"] == ["dynamodb:UpdateItem"], "UpdateItem gets its own statement"
    assert config.resolve(statement["resources"]) == ["${aws_dynamodb_table.history.arn}"]
    (condition,) = _blocks(statement, "condition")
    assert condition["test"] == "ForAllValues:StringLike"
    assert condition["variable"] == "dynamodb:LeadingKeys"
    patterns = condition["values"]

    def admitted(key: str) -> bool:
        return any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns)

    for status in TRANSITIONS:
        counter_key = facet_key(status)["entityId"]["S"]
        assert admitted(counter_key), f"the counters of {status} ({counter_key}) are refused"
    for entry_key in ("listing#lst-001", "seller#sel-001", "facets", "xfacets#ACTIVE"):
        assert not admitted(entry_key), f"UpdateItem reaches history item {entry_key!r}"


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


def test_no_wildcard_s3_resources_in_iam() -> None:
    """Every S3 grant names one prefix of this module's bucket, with named actions."""
    violations: list[str] = []
    for config in _all_configs():
        where_dir = config.directory.relative_to(TF_ROOT)
        for name, document in config.data.get("aws_iam_policy_document", {}).items():
            for statement in _statements(document):
                actions = [str(a) for a in statement.get("actions", [])]
                if statement.get("effect", "Allow") != "Allow" or not any(
                    a == "*" or a.startswith("s3:") for a in actions
                ):
                    continue
                where = f"{where_dir}: data.aws_iam_policy_document.{name} {statement.get('sid')}"
                if "not_resources" in statement:
                    violations.append(f"{where}: not_resources with S3 actions")
                violations += [f"{where}: wildcard action {a!r}" for a in actions if "*" in a]
                for resource in _strings(config.resolve(statement.get("resources", ["*"]))):
                    if not S3_PREFIX_ARN.fullmatch(resource):
                        violations.append(f"{where}: {resource!r} is not staging/* or renditions/*")
        for type_, resources in config.resources.items():
            for name, body in resources.items():
                for key in ("policy", "inline_policy"):
                    value = body.get(key)
                    if isinstance(value, str) and '"s3:' in value:
                        where = f"{where_dir}: {type_}.{name}.{key}"
                        violations.append(f"{where}: declare S3 grants in aws_iam_policy_document")
    assert not violations, "S3 grants must name one prefix of the photos bucket:\n" + "\n".join(
        violations
    )


def test_roles_s3_grants_are_exact() -> None:
    config = module()
    documents = _policy_document_by_handler(config)
    expected = {
        # The presigned POST is signed by the gateway: S3 authorizes the upload as its PutObject.
        GATEWAY_HANDLER: {
            ("s3:PutObject", "staging"),
            ("s3:GetObject", "staging"),
            ("s3:DeleteObject", "staging"),
            ("s3:PutObject", "renditions"),
            ("s3:GetObject", "renditions"),
            # A listing write that did not happen deletes the renditions it wrote.
            ("s3:DeleteObject", "renditions"),
        },
        AUDIT_HANDLER: {("s3:DeleteObject", "renditions")},
        WEBSOCKET_HANDLER: set(),
        FANOUT_HANDLER: set(),
    }
    for handler, grants in expected.items():
        assert _s3_grants(config, documents[handler]) == grants, handler
    # The grants exist only with the bucket.
    for handler in (GATEWAY_HANDLER, AUDIT_HANDLER):
        for dynamic in documents[handler].get("dynamic", []):
            content = str(dynamic["statement"]["content"])
            if "aws_s3_bucket.photos" in content:
                for_each = dynamic["statement"]["for_each"]
                assert config.assuming(photos_enabled=False).evaluate(for_each) == [], handler
