# Alarms that page before a tenant notices: the audit trail falling behind or
# dropping batches, and either function erroring or being throttled.

locals {
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]

  functions = {
    gateway   = local.gateway_function_name
    audit     = local.audit_function_name
    websocket = local.ws_function_name
    fanout    = local.fanout_function_name
  }
}

resource "aws_cloudwatch_metric_alarm" "audit_iterator_age" {
  alarm_name        = "${local.audit_function_name}-iterator-age"
  alarm_description = "The audit function is more than ${var.audit_iterator_age_alarm_threshold_ms} ms behind the listings/sellers streams: history is stale and records near the 24 h stream retention may be lost."

  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.audit.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.audit_iterator_age_alarm_threshold_ms
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "audit_dlq_depth" {
  alarm_name        = "${local.audit_function_name}-dlq-depth"
  alarm_description = "Stream batches failed auditing and their metadata is in ${aws_sqs_queue.audit_dlq.name}: re-read those records from the stream (24 h retention) and replay them."

  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.audit_dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = local.functions

  alarm_name        = "${each.value}-errors"
  alarm_description = "The ${each.key} function of tenant ${var.tenant_id} (${var.stage}) reported errors."

  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.lambda_errors_alarm_threshold
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions

  tags = local.tags

  depends_on = [aws_lambda_function.gateway, aws_lambda_function.audit]
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = local.functions

  alarm_name        = "${each.value}-throttles"
  alarm_description = "The ${each.key} function of tenant ${var.tenant_id} (${var.stage}) was throttled: raise its reserved concurrency or the account limit."

  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.lambda_throttles_alarm_threshold
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions

  tags = local.tags

  depends_on = [aws_lambda_function.gateway, aws_lambda_function.audit]
}

# Internal errors the gateway masks. GraphQL sends most of them with HTTP 200, so the
# Lambda `Errors` metric never sees them; the gateway counts every masked internal error
# (and every 5xx) in its own EMF metric `ResaleGraph/ServerErrors` (graph/observability.py),
# dimensioned by the tenant and Powertools' service name.
resource "aws_cloudwatch_metric_alarm" "server_errors" {
  alarm_name        = "${local.gateway_function_name}-server-errors"
  alarm_description = "The gateway of tenant ${var.tenant_id} (${var.stage}) answered requests with INTERNAL_SERVER_ERROR (masked; HTTP 200 or 5xx): search the gateway's logs for level ERROR and the request ids."

  namespace   = "ResaleGraph"
  metric_name = "ServerErrors"
  dimensions = {
    tenant  = var.tenant_id
    service = "resale-graph-gateway"
  }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.server_errors_alarm_threshold
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions

  tags = local.tags
}
