# The fan-out: the listings stream feeds a function that finds the subscriptions a
# change matches (connections table, byTopic index), runs each subscription's
# document on the listing as the change left it, posts the results through the
# API Gateway Management API and deletes connections that are gone. A live update
# is worth little late: records older than fanout_maximum_record_age_in_seconds
# are dropped to the DLQ instead of retried.

resource "aws_sqs_queue" "fanout_dlq" {
  name                      = "${local.name}-graph-fanout-dlq"
  message_retention_seconds = var.audit_dlq_message_retention_seconds

  kms_master_key_id                 = aws_kms_key.this.arn
  kms_data_key_reuse_period_seconds = 300

  tags = local.tags
}

resource "aws_lambda_event_source_mapping" "fanout" {
  function_name     = aws_lambda_function.fanout.arn
  event_source_arn  = aws_dynamodb_table.listings.stream_arn
  starting_position = "TRIM_HORIZON"

  batch_size                         = var.fanout_batch_size
  maximum_batching_window_in_seconds = 0
  parallelization_factor             = var.fanout_parallelization_factor

  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]
  maximum_retry_attempts         = var.fanout_maximum_retry_attempts
  maximum_record_age_in_seconds  = var.fanout_maximum_record_age_in_seconds

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.fanout_dlq.arn
    }
  }

  depends_on = [aws_iam_role_policy.fanout]
}

resource "aws_cloudwatch_log_group" "fanout" {
  name              = local.log_group_names.fanout
  retention_in_days = var.log_retention_in_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_lambda_function" "fanout" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by the listings stream event source mapping; failed batches go to its on_failure destination, aws_sqs_queue.fanout_dlq.
  #checkov:skip=CKV_AWS_117:Reaches only AWS APIs (DynamoDB Streams, DynamoDB, API Gateway Management, SQS, KMS, X-Ray, Logs) with IAM auth and no private network; a VPC would add NAT or endpoint cost and isolate nothing.
  function_name = local.fanout_function_name
  description   = "Resale Graph subscriptions fan-out (listings stream -> WebSocket connections) for tenant ${var.tenant_id} (${var.stage})"
  role          = aws_iam_role.fanout.arn

  runtime       = "python3.12"
  handler       = "graph.lambdas.fanout.fanout_handler"
  architectures = [var.lambda_architecture]
  memory_size   = var.fanout_memory_size
  timeout       = var.fanout_timeout

  filename         = var.lambda_package_path
  source_code_hash = local.package_hash

  reserved_concurrent_executions = var.fanout_reserved_concurrency
  code_signing_config_arn        = var.code_signing_config_arn
  kms_key_arn                    = aws_kms_key.this.arn

  environment {
    variables = merge(local.common_environment, {
      GRAPH_TABLE_CONNECTIONS        = aws_dynamodb_table.connections.name
      GRAPH_WEBSOCKET_MANAGEMENT_URL = local.websocket_management_endpoint
      POWERTOOLS_SERVICE_NAME        = "resale-graph-fanout"
    })
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.fanout.name
    application_log_level = var.lambda_log_level
    system_log_level      = "WARN"
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.fanout]
}

resource "aws_iam_role" "fanout" {
  name                 = "${local.name}-graph-fanout"
  description          = "Resale Graph fan-out function of tenant ${var.tenant_id} (${var.stage})"
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume_role.json
  permissions_boundary = var.iam_role_permissions_boundary

  tags = local.tags
}

data "aws_iam_policy_document" "fanout" {
  statement {
    sid = "ReadListingsStream"
    actions = [
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
    ]
    resources = [aws_dynamodb_table.listings.stream_arn]
  }

  statement {
    sid       = "ListListingsStreams"
    actions   = ["dynamodb:ListStreams"]
    resources = ["${aws_dynamodb_table.listings.arn}/stream/*"]
  }

  statement {
    sid       = "FindSubscriptions"
    actions   = ["dynamodb:Query"]
    resources = local.connections_index_arns
  }

  statement {
    # DeleteItem and UpdateItem: a gone connection's items are deleted in one
    # TransactWriteItems with the release of the quota counters they held.
    sid = "ForgetGoneConnections"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:Query",
      "dynamodb:DeleteItem",
      "dynamodb:UpdateItem",
    ]
    resources = [aws_dynamodb_table.connections.arn]
  }

  statement {
    # Subscription documents may select related data (a listing's seller).
    sid       = "ReadListingsAndSellers"
    actions   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
    resources = [aws_dynamodb_table.listings.arn, aws_dynamodb_table.sellers.arn]
  }

  statement {
    sid       = "QueryListingsIndexes"
    actions   = ["dynamodb:Query"]
    resources = local.listings_index_arns
  }

  statement {
    sid       = "PostToConnections"
    actions   = ["execute-api:ManageConnections"]
    resources = [local.manage_connections_arn]
  }

  statement {
    sid       = "UseModuleKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.this.arn]
  }

  statement {
    sid       = "SendFailuresToDlq"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.fanout_dlq.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.fanout.arn}:*"]
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

resource "aws_iam_role_policy" "fanout" {
  name   = "resale-graph-fanout"
  role   = aws_iam_role.fanout.id
  policy = data.aws_iam_policy_document.fanout.json
}
