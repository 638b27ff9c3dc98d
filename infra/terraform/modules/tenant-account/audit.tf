# The audit consumer: both streamed tables feed the audit function, which writes
# history entries with a conditional put keyed by the stream sequence number.
# A failing batch is bisected to isolate the bad record, retried a bounded number
# of times, and then its metadata (shard, sequence-number range) goes to the DLQ.
# The records themselves stay readable in the stream for 24 hours; see README.

locals {
  audited_streams = {
    listings = aws_dynamodb_table.listings.stream_arn
    sellers  = aws_dynamodb_table.sellers.stream_arn
  }
}

resource "aws_sqs_queue" "audit_dlq" {
  name                      = "${local.name}-graph-audit-dlq"
  message_retention_seconds = var.audit_dlq_message_retention_seconds

  kms_master_key_id                 = aws_kms_key.this.arn
  kms_data_key_reuse_period_seconds = 300

  tags = local.tags
}

resource "aws_lambda_event_source_mapping" "audit" {
  for_each = local.audited_streams

  function_name     = aws_lambda_function.audit.arn
  event_source_arn  = each.value
  starting_position = "TRIM_HORIZON"

  batch_size                         = var.audit_batch_size
  maximum_batching_window_in_seconds = var.audit_maximum_batching_window_in_seconds
  parallelization_factor             = var.audit_parallelization_factor

  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]
  maximum_retry_attempts         = var.audit_maximum_retry_attempts
  maximum_record_age_in_seconds  = var.audit_maximum_record_age_in_seconds

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.audit_dlq.arn
    }
  }

  # Lambda checks the role's stream permissions when it creates the mapping.
  depends_on = [aws_iam_role_policy.audit]
}
