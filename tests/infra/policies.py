"""IAM policy documents of the module: their statements, and which function has which."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.infra.hcl import ALL_TF_FILES, Config, _blocks, _strings


def _statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from _blocks(document, "statement")
    for dynamic in _blocks(document, "dynamic"):
        if "statement" in dynamic:
            yield from _blocks(dynamic["statement"], "content")


def _all_configs() -> list[Config]:
    return [Config(d) for d in sorted({p.parent for p in ALL_TF_FILES})]


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


# An object-prefix ARN of one of this module's buckets: the only S3 resource a grant may name.
S3_PREFIX_ARN = re.compile(r"\$\{aws_s3_bucket\.\w+(\[0\])?\.arn\}/(staging|renditions)/\*")


def _s3_grants(config: Config, document: dict[str, Any]) -> set[tuple[str, str]]:
    """(action, target) pairs of Allow statements: target = `staging` or `renditions`, or
    the resource itself when it is not one of those prefixes (so it cannot match)."""
    grants: set[tuple[str, str]] = set()
    for statement in _statements(document):
        if statement.get("effect", "Allow") != "Allow":
            continue
        actions = [a for a in statement.get("actions", []) if str(a).startswith("s3:")]
        for resource in _strings(config.resolve(statement.get("resources", ["*"]))):
            match = S3_PREFIX_ARN.fullmatch(resource)
            target = match.group(2) if match else resource
            grants.update((action, target) for action in actions)
    return grants
