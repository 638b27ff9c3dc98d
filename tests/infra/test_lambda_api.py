"""The four functions, the HTTP API's routes and stage, and the WebSocket API's routes."""

from __future__ import annotations

import ast
import re

from tests.infra.hcl import (
    AUDIT_HANDLER,
    FANOUT_HANDLER,
    GATEWAY_HANDLER,
    REPO_ROOT,
    WEBSOCKET_HANDLER,
    _block,
    _blocks,
    _var_reference,
    module,
)


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


def _top_level_names(tree: ast.Module) -> set[str]:
    """Names a module defines, assigns or imports at its top level."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def test_handlers_name_functions_of_the_package() -> None:
    """Each handler string is `module.function` of a module in the zip (read, not imported).

    A handler Lambda cannot import fails every invocation of a deployed function, and
    nothing else checks the strings against the code before a deploy.
    """
    for body in module().resources_of("aws_lambda_function").values():
        module_path, _, function = body["handler"].rpartition(".")
        parts = module_path.split(".")
        candidates = [
            REPO_ROOT.joinpath(*parts).with_suffix(".py"),
            REPO_ROOT.joinpath(*parts, "__init__.py"),
        ]
        source = next((path for path in candidates if path.is_file()), None)
        assert source, f"handler {body['handler']!r}: no module {module_path} in the repository"
        tree = ast.parse(source.read_text(encoding="utf-8"))
        assert function in _top_level_names(tree), (
            f"handler {body['handler']!r}: {source.relative_to(REPO_ROOT)} defines no {function}"
        )


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
