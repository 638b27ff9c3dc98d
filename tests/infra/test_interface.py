"""The module's interface: described variables and outputs, the README, the wrapper and
the examples."""

from __future__ import annotations

import pytest

from tests.infra.hcl import (
    EXAMPLE_TENANTS,
    TF_ROOT,
    WRAPPER_DIR,
    Config,
    _block,
    _parse,
    module,
)


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
        "s3_",
        "cloudfront_",
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
