"""Stream event source mappings (bounded retries, bisect, DLQ) and the alarms."""

from __future__ import annotations

import re
from typing import Any

from graph.store import TABLE_SPECS
from tests.infra.hcl import (
    AUDIT_HANDLER,
    FANOUT_HANDLER,
    MAX_STREAM_RETRIES,
    MODULE_DIR,
    Config,
    _block,
    _blocks,
    _strings,
    _var_reference,
    module,
)
from tests.infra.specs import _tables_by_logical_name


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
