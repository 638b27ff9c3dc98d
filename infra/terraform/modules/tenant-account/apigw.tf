# API Gateway HTTP API in front of the gateway function. CORS is not configured
# here: the app answers preflights itself, with each tenant's own origins.

locals {
  # The alias when the gateway is versioned (SnapStart or provisioned concurrency, see
  # lambda.tf), else the function ($LATEST).
  gateway_invoke_arn = local.gateway_versioned ? aws_lambda_alias.gateway[0].invoke_arn : aws_lambda_function.gateway.invoke_arn

  routes = toset([
    "POST /graphql",
    "GET /graphql",
    "OPTIONS /graphql",
    "GET /schema.graphql",
    "GET /healthz",
  ])
}

resource "aws_apigatewayv2_api" "this" {
  name          = "${local.name}-graph"
  description   = "Resale Graph GraphQL API for tenant ${var.tenant_id} (${var.stage})"
  protocol_type = "HTTP"

  tags = local.tags
}

resource "aws_apigatewayv2_integration" "gateway" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = local.gateway_invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "this" {
  #checkov:skip=CKV_AWS_309:Callers authenticate with a tenant API key that the app checks (hashed, constant time) before any I/O; HTTP APIs have no API-key authorizer, and /healthz and CORS preflights must stay anonymous.
  for_each = local.routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.gateway.id}"
  authorization_type = "NONE"
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = local.log_group_names.api_access
  retention_in_days = var.log_retention_in_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit   = var.api_throttling_burst_limit
    throttling_rate_limit    = var.api_throttling_rate_limit
    detailed_metrics_enabled = var.api_detailed_metrics_enabled
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    # One JSON object per request; integrationRequestId is the Lambda request id.
    format = jsonencode({
      requestId               = "$context.requestId"
      extendedRequestId       = "$context.extendedRequestId"
      requestTime             = "$context.requestTime"
      requestTimeEpoch        = "$context.requestTimeEpoch"
      sourceIp                = "$context.identity.sourceIp"
      userAgent               = "$context.identity.userAgent"
      httpMethod              = "$context.httpMethod"
      routeKey                = "$context.routeKey"
      path                    = "$context.path"
      protocol                = "$context.protocol"
      status                  = "$context.status"
      responseLength          = "$context.responseLength"
      responseLatency         = "$context.responseLatency"
      integrationLatency      = "$context.integrationLatency"
      integrationStatus       = "$context.integration.status"
      integrationRequestId    = "$context.integration.requestId"
      integrationErrorMessage = "$context.integrationErrorMessage"
      errorMessage            = "$context.error.message"
    })
  }

  tags = local.tags
}

resource "aws_lambda_permission" "api_gateway" {
  statement_id  = "AllowInvokeFromHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.gateway.function_name
  qualifier     = local.gateway_versioned ? aws_lambda_alias.gateway[0].name : null
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}
