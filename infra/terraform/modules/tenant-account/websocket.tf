# Live subscriptions on AWS: an API Gateway WebSocket API speaking the
# graphql-transport-ws protocol. The websocket function answers $connect,
# $disconnect and every message ($default: connection_init, subscribe, complete,
# ping) and keeps connections and subscriptions in the connections table; the
# fan-out function (fanout.tf) posts changes to them. Limits users meet (2-hour
# connections, 10-minute idle timeout, 128 KB frames): docs/events.md.

locals {
  connections_index_arns = [for index in aws_dynamodb_table.connections.global_secondary_index : "${aws_dynamodb_table.connections.arn}/index/${index.name}"]

  # execute-api:ManageConnections on this API's stage only (POST and DELETE
  # /@connections/{id}): the Management API's resource pattern.
  manage_connections_arn = "${aws_apigatewayv2_api.websocket.execution_arn}/${aws_apigatewayv2_stage.websocket.name}/*/@connections/*"

  # The Management API endpoint (https) of the stage the clients connect to (wss).
  websocket_management_endpoint = replace(aws_apigatewayv2_stage.websocket.invoke_url, "wss://", "https://")

  websocket_routes = toset(["$connect", "$disconnect", "$default"])
}

resource "aws_apigatewayv2_api" "websocket" {
  name                       = "${local.name}-graph-live"
  description                = "Resale Graph live subscriptions (graphql-transport-ws) for tenant ${var.tenant_id} (${var.stage})"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.type"

  tags = local.tags
}

resource "aws_apigatewayv2_integration" "websocket" {
  api_id                    = aws_apigatewayv2_api.websocket.id
  integration_type          = "AWS_PROXY"
  integration_method        = "POST"
  integration_uri           = aws_lambda_function.websocket.invoke_arn
  content_handling_strategy = "CONVERT_TO_TEXT"
  timeout_milliseconds      = 29000
}

resource "aws_apigatewayv2_route" "websocket" {
  #checkov:skip=CKV_AWS_309:Browsers cannot send headers on a WebSocket upgrade; the tenant API key arrives in the graphql-transport-ws connection_init message (or ?apiKey= at $connect) and the websocket function checks it (hashed, constant time) before anything else.
  for_each = local.websocket_routes

  api_id             = aws_apigatewayv2_api.websocket.id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.websocket.id}"
  authorization_type = "NONE"
}

resource "aws_cloudwatch_log_group" "ws_access" {
  name              = local.log_group_names.ws_access
  retention_in_days = var.log_retention_in_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_apigatewayv2_stage" "websocket" {
  #checkov:skip=CKV2_AWS_51:A stage client certificate authenticates API Gateway to HTTP backends; this API's only integration is a Lambda proxy, invoked with IAM. Browsers cannot present client certificates on WebSocket connects; callers authenticate with the tenant API key.
  api_id      = aws_apigatewayv2_api.websocket.id
  name        = var.websocket_stage_name
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit   = var.websocket_throttling_burst_limit
    throttling_rate_limit    = var.websocket_throttling_rate_limit
    detailed_metrics_enabled = var.api_detailed_metrics_enabled
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.ws_access.arn
    format = jsonencode({
      requestId            = "$context.requestId"
      requestTimeEpoch     = "$context.requestTimeEpoch"
      connectionId         = "$context.connectionId"
      eventType            = "$context.eventType"
      routeKey             = "$context.routeKey"
      status               = "$context.status"
      sourceIp             = "$context.identity.sourceIp"
      integrationRequestId = "$context.integration.requestId"
      integrationStatus    = "$context.integration.status"
      errorMessage         = "$context.error.message"
    })
  }

  tags = local.tags
}

resource "aws_lambda_permission" "websocket" {
  statement_id  = "AllowInvokeFromWebSocketApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.websocket.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.websocket.execution_arn}/*/*"
}

resource "aws_cloudwatch_log_group" "websocket" {
  name              = local.log_group_names.websocket
  retention_in_days = var.log_retention_in_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_lambda_function" "websocket" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by API Gateway; a function DLQ only ever receives failed asynchronous invocations.
  #checkov:skip=CKV_AWS_117:Reaches only AWS APIs (DynamoDB, API Gateway Management, KMS, X-Ray, Logs) with IAM auth and no private network; a VPC would add NAT or endpoint cost and isolate nothing.
  function_name = local.ws_function_name
  description   = "Resale Graph WebSocket routes (graphql-transport-ws) for tenant ${var.tenant_id} (${var.stage})"
  role          = aws_iam_role.websocket.arn

  runtime       = "python3.12"
  handler       = "graph.lambdas.websocket.websocket_handler"
  architectures = [var.lambda_architecture]
  memory_size   = var.websocket_memory_size
  timeout       = var.websocket_timeout

  filename         = var.lambda_package_path
  source_code_hash = local.package_hash

  reserved_concurrent_executions = var.websocket_reserved_concurrency
  code_signing_config_arn        = var.code_signing_config_arn
  kms_key_arn                    = aws_kms_key.this.arn

  environment {
    variables = merge(local.common_environment, {
      GRAPH_TABLE_CONNECTIONS = aws_dynamodb_table.connections.name
      POWERTOOLS_SERVICE_NAME = "resale-graph-websocket"
    })
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.websocket.name
    application_log_level = var.lambda_log_level
    system_log_level      = "WARN"
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.websocket]
}

resource "aws_iam_role" "websocket" {
  name                 = "${local.name}-graph-websocket"
  description          = "Resale Graph WebSocket function of tenant ${var.tenant_id} (${var.stage})"
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume_role.json
  permissions_boundary = var.iam_role_permissions_boundary

  tags = local.tags
}

data "aws_iam_policy_document" "websocket" {
  statement {
    # UpdateItem: the quota counters (graph/store/quotas.py),
    # changed in TransactWriteItems with the connection items they count.
    sid = "KeepConnections"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:BatchWriteItem",
    ]
    resources = [aws_dynamodb_table.connections.arn]
  }

  statement {
    sid       = "AnswerConnections"
    actions   = ["execute-api:ManageConnections"]
    resources = [local.manage_connections_arn]
  }

  statement {
    sid       = "UseModuleKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.this.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.websocket.arn}:*"]
  }

  statement {
    sid = "XRay"
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    resources = ["*"] # X-Ray has no resource-level permissions for these.
  }
}

resource "aws_iam_role_policy" "websocket" {
  name   = "resale-graph-websocket"
  role   = aws_iam_role.websocket.id
  policy = data.aws_iam_policy_document.websocket.json
}
