# One tenant-account module instance per entry of var.items (key = tenant id),
# in the terraform-aws-modules "wrappers" style. Every instance uses the provider of
# the calling root module, so a single root can only reach one AWS account: use
# this to run several tenants that share an account (dev, test), or one call per
# account from Terragrunt. Per-tenant accounts in production: examples/<tenant>/.
#
# Values come from each item, then var.defaults, then the module's own defaults
# (its variables are non-nullable, so null means "use the default").

module "wrapper" {
  source = "../modules/tenant-account"

  for_each = var.items

  tenant_id                                        = try(each.value.tenant_id, each.key)
  stage                                            = try(each.value.stage, var.defaults.stage, null)
  tags                                             = try(each.value.tags, var.defaults.tags, null)
  deletion_protection_enabled                      = try(each.value.deletion_protection_enabled, var.defaults.deletion_protection_enabled, null)
  point_in_time_recovery_period_in_days            = try(each.value.point_in_time_recovery_period_in_days, var.defaults.point_in_time_recovery_period_in_days, null)
  replica_regions                                  = try(each.value.replica_regions, var.defaults.replica_regions, null)
  replica_kms_key_arns                             = try(each.value.replica_kms_key_arns, var.defaults.replica_kms_key_arns, null)
  create_kinesis_streaming_destination             = try(each.value.create_kinesis_streaming_destination, var.defaults.create_kinesis_streaming_destination, null)
  kinesis_stream_arn                               = try(each.value.kinesis_stream_arn, var.defaults.kinesis_stream_arn, null)
  kinesis_streaming_tables                         = try(each.value.kinesis_streaming_tables, var.defaults.kinesis_streaming_tables, null)
  kinesis_approximate_creation_date_time_precision = try(each.value.kinesis_approximate_creation_date_time_precision, var.defaults.kinesis_approximate_creation_date_time_precision, null)
  kms_key_deletion_window_in_days                  = try(each.value.kms_key_deletion_window_in_days, var.defaults.kms_key_deletion_window_in_days, null)
  kms_key_administrator_arns                       = try(each.value.kms_key_administrator_arns, var.defaults.kms_key_administrator_arns, null)
  lambda_package_path                              = try(each.value.lambda_package_path, var.defaults.lambda_package_path)
  lambda_architecture                              = try(each.value.lambda_architecture, var.defaults.lambda_architecture, null)
  lambda_log_level                                 = try(each.value.lambda_log_level, var.defaults.lambda_log_level, null)
  log_retention_in_days                            = try(each.value.log_retention_in_days, var.defaults.log_retention_in_days, null)
  code_signing_config_arn                          = try(each.value.code_signing_config_arn, var.defaults.code_signing_config_arn, null)
  iam_role_permissions_boundary                    = try(each.value.iam_role_permissions_boundary, var.defaults.iam_role_permissions_boundary, null)
  cursor_secret_arn                                = try(each.value.cursor_secret_arn, var.defaults.cursor_secret_arn)
  cursor_secret_kms_key_arn                        = try(each.value.cursor_secret_kms_key_arn, var.defaults.cursor_secret_kms_key_arn, null)
  gateway_memory_size                              = try(each.value.gateway_memory_size, var.defaults.gateway_memory_size, null)
  gateway_timeout                                  = try(each.value.gateway_timeout, var.defaults.gateway_timeout, null)
  gateway_reserved_concurrency                     = try(each.value.gateway_reserved_concurrency, var.defaults.gateway_reserved_concurrency, null)
  api_throttling_burst_limit                       = try(each.value.api_throttling_burst_limit, var.defaults.api_throttling_burst_limit, null)
  api_throttling_rate_limit                        = try(each.value.api_throttling_rate_limit, var.defaults.api_throttling_rate_limit, null)
  api_detailed_metrics_enabled                     = try(each.value.api_detailed_metrics_enabled, var.defaults.api_detailed_metrics_enabled, null)
  audit_memory_size                                = try(each.value.audit_memory_size, var.defaults.audit_memory_size, null)
  audit_timeout                                    = try(each.value.audit_timeout, var.defaults.audit_timeout, null)
  audit_reserved_concurrency                       = try(each.value.audit_reserved_concurrency, var.defaults.audit_reserved_concurrency, null)
  audit_batch_size                                 = try(each.value.audit_batch_size, var.defaults.audit_batch_size, null)
  audit_maximum_batching_window_in_seconds         = try(each.value.audit_maximum_batching_window_in_seconds, var.defaults.audit_maximum_batching_window_in_seconds, null)
  audit_parallelization_factor                     = try(each.value.audit_parallelization_factor, var.defaults.audit_parallelization_factor, null)
  audit_maximum_retry_attempts                     = try(each.value.audit_maximum_retry_attempts, var.defaults.audit_maximum_retry_attempts, null)
  audit_maximum_record_age_in_seconds              = try(each.value.audit_maximum_record_age_in_seconds, var.defaults.audit_maximum_record_age_in_seconds, null)
  audit_dlq_message_retention_seconds              = try(each.value.audit_dlq_message_retention_seconds, var.defaults.audit_dlq_message_retention_seconds, null)
  alarm_sns_topic_arn                              = try(each.value.alarm_sns_topic_arn, var.defaults.alarm_sns_topic_arn, null)
  audit_iterator_age_alarm_threshold_ms            = try(each.value.audit_iterator_age_alarm_threshold_ms, var.defaults.audit_iterator_age_alarm_threshold_ms, null)
  server_errors_alarm_threshold                    = try(each.value.server_errors_alarm_threshold, var.defaults.server_errors_alarm_threshold, null)
  lambda_errors_alarm_threshold                    = try(each.value.lambda_errors_alarm_threshold, var.defaults.lambda_errors_alarm_threshold, null)
  lambda_throttles_alarm_threshold                 = try(each.value.lambda_throttles_alarm_threshold, var.defaults.lambda_throttles_alarm_threshold, null)
  create_kinesis_stream                            = try(each.value.create_kinesis_stream, var.defaults.create_kinesis_stream, null)
  kinesis_stream_retention_period                  = try(each.value.kinesis_stream_retention_period, var.defaults.kinesis_stream_retention_period, null)
  websocket_stage_name                             = try(each.value.websocket_stage_name, var.defaults.websocket_stage_name, null)
  websocket_throttling_burst_limit                 = try(each.value.websocket_throttling_burst_limit, var.defaults.websocket_throttling_burst_limit, null)
  websocket_throttling_rate_limit                  = try(each.value.websocket_throttling_rate_limit, var.defaults.websocket_throttling_rate_limit, null)
  websocket_memory_size                            = try(each.value.websocket_memory_size, var.defaults.websocket_memory_size, null)
  websocket_timeout                                = try(each.value.websocket_timeout, var.defaults.websocket_timeout, null)
  websocket_reserved_concurrency                   = try(each.value.websocket_reserved_concurrency, var.defaults.websocket_reserved_concurrency, null)
  fanout_memory_size                               = try(each.value.fanout_memory_size, var.defaults.fanout_memory_size, null)
  fanout_timeout                                   = try(each.value.fanout_timeout, var.defaults.fanout_timeout, null)
  fanout_reserved_concurrency                      = try(each.value.fanout_reserved_concurrency, var.defaults.fanout_reserved_concurrency, null)
  fanout_batch_size                                = try(each.value.fanout_batch_size, var.defaults.fanout_batch_size, null)
  fanout_parallelization_factor                    = try(each.value.fanout_parallelization_factor, var.defaults.fanout_parallelization_factor, null)
  fanout_maximum_retry_attempts                    = try(each.value.fanout_maximum_retry_attempts, var.defaults.fanout_maximum_retry_attempts, null)
  fanout_maximum_record_age_in_seconds             = try(each.value.fanout_maximum_record_age_in_seconds, var.defaults.fanout_maximum_record_age_in_seconds, null)
}
