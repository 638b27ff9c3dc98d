################################################################################
# DynamoDB
################################################################################

output "dynamodb_table_names" {
  description = "Physical table names by logical name; the shape of `tables` in tenants/registry/<tenant>.toml."
  value       = { for name, table in local.tables : name => table.name }
}

output "dynamodb_table_arns" {
  description = "Table ARNs by logical name."
  value       = { for name, table in local.tables : name => table.arn }
}

output "dynamodb_table_stream_arns" {
  description = "Stream ARNs by logical name (history has one only when replicas are configured)."
  value       = { for name, table in local.tables : name => table.stream_arn }
}

output "dynamodb_kinesis_streaming_destination_tables" {
  description = "Logical tables streaming to Kinesis (empty when the destination is off)."
  value       = sort(keys(aws_dynamodb_kinesis_streaming_destination.this))
}

################################################################################
# KMS
################################################################################

output "kms_key_arn" {
  description = "ARN of the customer-managed key encrypting the tables, streams, DLQ, log groups and Lambda environment."
  value       = aws_kms_key.this.arn
}

output "kms_key_alias" {
  description = "Alias of the module's KMS key."
  value       = aws_kms_alias.this.name
}

################################################################################
# Lambda
################################################################################

output "lambda_gateway_function_name" {
  description = "Name of the gateway function."
  value       = aws_lambda_function.gateway.function_name
}

output "lambda_gateway_function_arn" {
  description = "ARN of the gateway function."
  value       = aws_lambda_function.gateway.arn
}

output "lambda_audit_function_name" {
  description = "Name of the audit function."
  value       = aws_lambda_function.audit.function_name
}

output "lambda_audit_function_arn" {
  description = "ARN of the audit function."
  value       = aws_lambda_function.audit.arn
}

output "lambda_audit_event_source_mapping_uuids" {
  description = "UUIDs of the audit function's stream event source mappings, by logical table."
  value       = { for name, mapping in aws_lambda_event_source_mapping.audit : name => mapping.uuid }
}

output "lambda_gateway_alias_arn" {
  description = "ARN of the gateway's alias \"live\" that API Gateway invokes when gateway_snap_start or gateway_provisioned_concurrency is on (null otherwise)."
  value       = one(aws_lambda_alias.gateway[*].arn)
}

output "iam_role_gateway_arn" {
  description = "ARN of the gateway function's execution role."
  value       = aws_iam_role.gateway.arn
}

output "iam_role_audit_arn" {
  description = "ARN of the audit function's execution role."
  value       = aws_iam_role.audit.arn
}

output "cloudwatch_log_group_names" {
  description = "Log group names: gateway, audit, api_access, websocket, fanout and ws_access."
  value = {
    gateway    = aws_cloudwatch_log_group.gateway.name
    audit      = aws_cloudwatch_log_group.audit.name
    api_access = aws_cloudwatch_log_group.api_access.name
    websocket  = aws_cloudwatch_log_group.websocket.name
    fanout     = aws_cloudwatch_log_group.fanout.name
    ws_access  = aws_cloudwatch_log_group.ws_access.name
  }
}

################################################################################
# API Gateway
################################################################################

output "apigatewayv2_api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "apigatewayv2_api_endpoint" {
  description = "Base URL of the HTTP API ($default stage)."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "apigatewayv2_graphql_url" {
  description = "URL of the GraphQL endpoint that front ends and back ends call."
  value       = "${aws_apigatewayv2_api.this.api_endpoint}/graphql"
}

################################################################################
# SQS
################################################################################

output "sqs_audit_dlq_arn" {
  description = "ARN of the audit DLQ (failed stream batch metadata)."
  value       = aws_sqs_queue.audit_dlq.arn
}

output "sqs_audit_dlq_url" {
  description = "URL of the audit DLQ."
  value       = aws_sqs_queue.audit_dlq.url
}

################################################################################
# Alarms
################################################################################

output "cloudwatch_metric_alarm_names" {
  description = "Names of the module's alarms."
  value = concat(
    [aws_cloudwatch_metric_alarm.audit_iterator_age.alarm_name, aws_cloudwatch_metric_alarm.audit_dlq_depth.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.lambda_errors : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.lambda_throttles : alarm.alarm_name],
  )
}

################################################################################
# Live subscriptions and change feed
################################################################################

output "apigatewayv2_websocket_url" {
  description = "wss:// URL that clients connect to with a graphql-transport-ws client."
  value       = aws_apigatewayv2_stage.websocket.invoke_url
}

output "apigatewayv2_websocket_api_id" {
  description = "ID of the WebSocket API."
  value       = aws_apigatewayv2_api.websocket.id
}

output "dynamodb_connections_table_name" {
  description = "Name of the table of WebSocket connections and subscriptions (TTL attribute expiresAt)."
  value       = aws_dynamodb_table.connections.name
}

output "lambda_websocket_function_name" {
  description = "Name of the websocket function ($connect, $disconnect, $default)."
  value       = aws_lambda_function.websocket.function_name
}

output "lambda_fanout_function_name" {
  description = "Name of the fan-out function (listings stream -> connections)."
  value       = aws_lambda_function.fanout.function_name
}

output "sqs_fanout_dlq_arn" {
  description = "ARN of the fan-out DLQ (metadata of stream batches that could not be delivered live)."
  value       = aws_sqs_queue.fanout_dlq.arn
}

output "kinesis_stream_arn" {
  description = "ARN of the Kinesis stream the tables stream to: the one created (create_kinesis_stream), else kinesis_stream_arn (null when none)."
  value       = local.kinesis_stream_arn
}

################################################################################
# Photos
################################################################################

output "s3_photos_bucket_name" {
  description = "Name of the listing photos bucket (GRAPH_PHOTOS_BUCKET; null when photos_enabled is false)."
  value       = one(aws_s3_bucket.photos[*].id)
}

output "s3_photos_bucket_arn" {
  description = "ARN of the listing photos bucket (null when photos_enabled is false)."
  value       = one(aws_s3_bucket.photos[*].arn)
}

output "cloudfront_photos_distribution_id" {
  description = "ID of the CloudFront distribution serving photo renditions (for invalidations; null when photos_enabled is false)."
  value       = one(aws_cloudfront_distribution.photos[*].id)
}

output "cloudfront_photos_distribution_domain_name" {
  description = "*.cloudfront.net domain of the photos distribution: the target of a photos_domain_name DNS record (null when photos_enabled is false)."
  value       = one(aws_cloudfront_distribution.photos[*].domain_name)
}

output "cloudfront_photos_public_url" {
  description = "https:// base URL of photo renditions (GRAPH_PHOTOS_PUBLIC_URL): photos_domain_name if set, else the distribution's domain. A rendition's URL is this, \"/\" and its key."
  value       = local.photos_public_url
}

################################################################################
# API CloudFront (optional)
################################################################################

output "cloudfront_api_distribution_id" {
  description = "ID of the CloudFront distribution in front of the HTTP API (null unless api_cdn_enabled)."
  value       = one(aws_cloudfront_distribution.api[*].id)
}

output "cloudfront_api_distribution_domain_name" {
  description = "*.cloudfront.net domain of the API's CloudFront distribution: GraphQL at https://<domain>/graphql (null unless api_cdn_enabled)."
  value       = one(aws_cloudfront_distribution.api[*].domain_name)
}
