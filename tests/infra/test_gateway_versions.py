"""Cold starts: SnapStart or provisioned concurrency publish the gateway, API Gateway then
invokes the alias "live"; without either, the function ($LATEST) as before."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infra.hcl import Config, _block, _blocks, module

ALIAS_INVOKE_ARN = "${aws_lambda_alias.gateway[0].invoke_arn}"
FUNCTION_INVOKE_ARN = "${aws_lambda_function.gateway.invoke_arn}"


def _gateway(config: Config) -> dict[str, Any]:
    return config.resources_of("aws_lambda_function")["gateway"]


@pytest.mark.parametrize(
    ("snap_start", "provisioned", "versioned"),
    [(False, 0, False), (True, 0, True), (False, 2, True)],
    ids=["off", "snap-start", "provisioned-concurrency"],
)
def test_api_gateway_invokes_the_alias_only_when_versioned(
    snap_start: bool, provisioned: int, versioned: bool
) -> None:
    config = module().assuming(
        gateway_snap_start=snap_start, gateway_provisioned_concurrency=provisioned
    )
    function = _gateway(config)
    integration = config.resources_of("aws_apigatewayv2_integration")["gateway"]
    permission = config.resources_of("aws_lambda_permission")["api_gateway"]
    alias = config.resources_of("aws_lambda_alias")["gateway"]
    warm = config.resources_of("aws_lambda_provisioned_concurrency_config")["gateway"]

    assert config.evaluate(function["publish"]) is versioned
    assert config.evaluate(alias["count"]) == (1 if versioned else 0)
    assert alias["function_version"] == "${aws_lambda_function.gateway.version}"
    invoked = config.evaluate(integration["integration_uri"])
    assert invoked == (ALIAS_INVOKE_ARN if versioned else FUNCTION_INVOKE_ARN)
    qualifier = config.evaluate(permission["qualifier"])
    assert qualifier == ("${aws_lambda_alias.gateway[0].name}" if versioned else None)
    assert permission["function_name"] == "${aws_lambda_function.gateway.function_name}"

    assert config.evaluate(warm["count"]) == (1 if provisioned > 0 else 0)
    assert warm["qualifier"] == "${aws_lambda_alias.gateway[0].name}"
    assert warm["provisioned_concurrent_executions"] == "${var.gateway_provisioned_concurrency}"

    (snap,) = [d["snap_start"] for d in _blocks(function, "dynamic") if "snap_start" in d]
    assert config.evaluate(snap["for_each"]) == ([1] if snap_start else [])
    assert _block(snap, "content")["apply_on"] == "PublishedVersions"

    # The WebSocket API calls its own function, never the gateway.
    websocket = config.resources_of("aws_apigatewayv2_integration")["websocket"]
    assert websocket["integration_uri"] == "${aws_lambda_function.websocket.invoke_arn}"


def test_snap_start_and_provisioned_concurrency_are_validated() -> None:
    config = module()
    assert config.default("gateway_snap_start") is False
    assert config.default("gateway_provisioned_concurrency") == 0
    (validation,) = _blocks(config.variables["gateway_provisioned_concurrency"], "validation")
    for value, valid in ((0, True), (5, True), (-1, False), (1.5, False)):
        setting = config.assuming(gateway_provisioned_concurrency=value)
        assert setting.evaluate(validation["condition"]) is valid, value

    alias = config.resources_of("aws_lambda_alias")["gateway"]
    preconditions = [p["condition"] for p in _blocks(_block(alias, "lifecycle"), "precondition")]

    def accepted(**values: Any) -> bool:
        return all(config.assuming(**values).evaluate(p) for p in preconditions)

    assert accepted(gateway_snap_start=True)
    assert accepted(gateway_provisioned_concurrency=10, gateway_reserved_concurrency=50)
    assert accepted(gateway_provisioned_concurrency=80, gateway_reserved_concurrency=-1)
    assert not accepted(gateway_snap_start=True, gateway_provisioned_concurrency=2), (
        "Lambda refuses SnapStart together with provisioned concurrency"
    )
    assert not accepted(gateway_provisioned_concurrency=60, gateway_reserved_concurrency=50)

    # SnapStart for Python needs python3.12+: checked against the function's own runtime.
    (check,) = _blocks(_block(_gateway(config), "lifecycle"), "postcondition")
    condition = check["condition"]
    assert "!var.gateway_snap_start ||" in condition
    assert "self.runtime" in condition
    (pattern,) = re.findall(r'regex\("([^"]+)", self\.runtime\)', condition)
    pattern = pattern.replace("\\\\", "\\")
    for runtime, supported in (("python3.11", False), ("python3.12", True), ("python3.13", True)):
        assert bool(re.fullmatch(pattern, runtime)) is supported, runtime
