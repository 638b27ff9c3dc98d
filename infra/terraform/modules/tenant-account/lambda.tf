# Both functions run the same package (`make package` -> dist/lambda.zip) with
# different handlers: the GraphQL gateway behind API Gateway, and the audit
# consumer of the tables' streams.
#
# The gateway runs unpublished ($LATEST) by default. With SnapStart or provisioned
# concurrency (both against the cold start's imports) every apply publishes a version,
# the alias "live" points at it, and API Gateway invokes the alias (apigw.tf).

locals {
  package_hash = filebase64sha256(var.lambda_package_path)

  gateway_versioned = var.gateway_snap_start || var.gateway_provisioned_concurrency > 0

  # Names only, never secrets: the cursor secret is passed by ARN.
  common_environment = {
    GRAPH_STAGE          = var.stage
    GRAPH_TENANT_ID      = var.tenant_id
    GRAPH_REGION         = local.region
    GRAPH_TABLE_LISTINGS = aws_dynamodb_table.listings.name
    GRAPH_TABLE_SELLERS  = aws_dynamodb_table.sellers.name
    GRAPH_TABLE_HISTORY  = aws_dynamodb_table.history.name
    GRAPH_TABLE_UPLOADS  = aws_dynamodb_table.uploads.name
  }
}

resource "aws_cloudwatch_log_group" "gateway" {
  name              = local.log_group_names.gateway
  retention_in_days = var.log_retention_in_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "audit" {
  name              = local.log_group_names.audit
  retention_in_days = var.log_retention_in_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_lambda_function" "gateway" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by API Gateway; a function DLQ only ever receives failed asynchronous invocations.
  #checkov:skip=CKV_AWS_117:Reaches only AWS APIs (DynamoDB, SSM/Secrets Manager, KMS, X-Ray, Logs) with IAM auth and no private network; a VPC would add NAT or endpoint cost and cold-start latency and isolate nothing.
  function_name = local.gateway_function_name
  description   = "Resale Graph GraphQL gateway for tenant ${var.tenant_id} (${var.stage})"
  role          = aws_iam_role.gateway.arn

  runtime       = "python3.12"
  handler       = "graph.lambdas.gateway.gateway_handler"
  architectures = [var.lambda_architecture]
  memory_size   = var.gateway_memory_size
  timeout       = var.gateway_timeout

  filename         = var.lambda_package_path
  source_code_hash = local.package_hash
  publish          = local.gateway_versioned

  reserved_concurrent_executions = var.gateway_reserved_concurrency
  code_signing_config_arn        = var.code_signing_config_arn
  kms_key_arn                    = aws_kms_key.this.arn

  environment {
    variables = merge(local.common_environment, local.photos_gateway_environment, {
      GRAPH_CURSOR_SECRET_ARN = var.cursor_secret_arn
      POWERTOOLS_SERVICE_NAME = "resale-graph-gateway"
    })
  }

  dynamic "snap_start" {
    for_each = var.gateway_snap_start ? [1] : []

    content {
      apply_on = "PublishedVersions"
    }
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.gateway.name
    application_log_level = var.lambda_log_level
    system_log_level      = "WARN"
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.gateway]

  lifecycle {
    postcondition {
      condition     = !var.gateway_snap_start || can(regex("^python3\\.(1[2-9]|[2-9][0-9])$", self.runtime))
      error_message = "gateway_snap_start needs a python3.12 or newer runtime; SnapStart does not support ${self.runtime}."
    }
  }
}

resource "aws_lambda_alias" "gateway" {
  count = local.gateway_versioned ? 1 : 0

  name             = "live"
  description      = "The gateway version API Gateway invokes (SnapStart or provisioned concurrency)"
  function_name    = aws_lambda_function.gateway.function_name
  function_version = aws_lambda_function.gateway.version

  lifecycle {
    precondition {
      condition     = !(var.gateway_snap_start && var.gateway_provisioned_concurrency > 0)
      error_message = "Choose gateway_snap_start or gateway_provisioned_concurrency: Lambda does not support SnapStart on a function version with provisioned concurrency."
    }

    precondition {
      condition     = var.gateway_reserved_concurrency < 0 || var.gateway_provisioned_concurrency <= var.gateway_reserved_concurrency
      error_message = "gateway_provisioned_concurrency (${var.gateway_provisioned_concurrency}) cannot exceed gateway_reserved_concurrency (${var.gateway_reserved_concurrency})."
    }
  }
}

resource "aws_lambda_provisioned_concurrency_config" "gateway" {
  count = var.gateway_provisioned_concurrency > 0 ? 1 : 0

  function_name                     = aws_lambda_alias.gateway[0].function_name
  qualifier                         = aws_lambda_alias.gateway[0].name
  provisioned_concurrent_executions = var.gateway_provisioned_concurrency
}

resource "aws_lambda_function" "audit" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by the DynamoDB stream event source mappings; failed batches go to their on_failure destination, aws_sqs_queue.audit_dlq.
  #checkov:skip=CKV_AWS_117:Reaches only AWS APIs (DynamoDB Streams, DynamoDB, SQS, KMS, X-Ray, Logs) with IAM auth and no private network; a VPC would add NAT or endpoint cost and isolate nothing.
  function_name = local.audit_function_name
  description   = "Resale Graph audit consumer (streams -> history) for tenant ${var.tenant_id} (${var.stage})"
  role          = aws_iam_role.audit.arn

  runtime       = "python3.12"
  handler       = "graph.lambdas.audit.audit_handler"
  architectures = [var.lambda_architecture]
  memory_size   = var.audit_memory_size
  timeout       = var.audit_timeout

  filename         = var.lambda_package_path
  source_code_hash = local.package_hash

  reserved_concurrent_executions = var.audit_reserved_concurrency
  code_signing_config_arn        = var.code_signing_config_arn
  kms_key_arn                    = aws_kms_key.this.arn

  environment {
    variables = merge(local.common_environment, local.photos_audit_environment, {
      POWERTOOLS_SERVICE_NAME = "resale-graph-audit"
    })
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.audit.name
    application_log_level = var.lambda_log_level
    system_log_level      = "WARN"
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.audit]
}
