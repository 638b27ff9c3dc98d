output "graphql_url" {
  description = "URL of the tenant's GraphQL endpoint."
  value       = module.tenant_account.apigatewayv2_graphql_url
}

output "dynamodb_table_names" {
  description = "Physical table names by logical name, for `tables` in tenants/registry/kicks.toml."
  value       = module.tenant_account.dynamodb_table_names
}

output "lambda_gateway_function_name" {
  description = "Name of the gateway function."
  value       = module.tenant_account.lambda_gateway_function_name
}

output "lambda_audit_function_name" {
  description = "Name of the audit function."
  value       = module.tenant_account.lambda_audit_function_name
}

output "sqs_audit_dlq_url" {
  description = "URL of the audit DLQ."
  value       = module.tenant_account.sqs_audit_dlq_url
}

output "kms_key_arn" {
  description = "ARN of the tenant's customer-managed KMS key."
  value       = module.tenant_account.kms_key_arn
}

output "websocket_url" {
  description = "wss:// URL for live subscriptions (graphql-transport-ws; key in connection_init)."
  value       = module.tenant_account.apigatewayv2_websocket_url
}

output "kinesis_stream_arn" {
  description = "ARN of the change feed's Kinesis stream (null unless change_feed_enabled)."
  value       = module.tenant_account.kinesis_stream_arn
}

output "photos_public_url" {
  description = "https:// base URL of listing photo renditions (GRAPH_PHOTOS_PUBLIC_URL)."
  value       = module.tenant_account.cloudfront_photos_public_url
}

output "api_cdn_domain_name" {
  description = "CloudFront domain in front of the API (null unless api_cdn_enabled)."
  value       = module.tenant_account.cloudfront_api_distribution_domain_name
}
