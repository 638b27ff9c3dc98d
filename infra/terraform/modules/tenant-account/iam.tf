# One role per function, least privilege. Every DynamoDB statement names only this
# tenant's tables, their exact index ARNs and their streams: never "*", never a
# wildcard table ARN; every S3 statement names one prefix of the photos bucket
# (tests/infra/test_iam.py enforces both).
#
# DynamoDB has no IAM actions of its own for TransactWriteItems / TransactGetItems:
# a transaction is authorized by the Put/Update/ConditionCheck actions on each table
# it touches, which is why the gateway's write statement lists exactly those.

locals {
  # Exact ARNs of the tables' GSIs, taken from the tables themselves.
  listings_index_arns = [for index in aws_dynamodb_table.listings.global_secondary_index : "${aws_dynamodb_table.listings.arn}/index/${index.name}"]
  history_index_arns  = [for index in aws_dynamodb_table.history.global_secondary_index : "${aws_dynamodb_table.history.arn}/index/${index.name}"]

  cursor_secret_in_ssm = can(regex("^arn:[^:]+:ssm:", var.cursor_secret_arn))
}

data "aws_iam_policy_document" "lambda_assume_role" {
  statement {
    sid     = "LambdaAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

################################################################################
# Gateway
################################################################################

resource "aws_iam_role" "gateway" {
  name                 = "${local.name}-graph-gateway"
  description          = "Resale Graph gateway function of tenant ${var.tenant_id} (${var.stage})"
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume_role.json
  permissions_boundary = var.iam_role_permissions_boundary

  tags = local.tags
}

data "aws_iam_policy_document" "gateway" {
  statement {
    sid = "ReadWriteListingsAndSellers"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:ConditionCheckItem",
    ]
    resources = [
      aws_dynamodb_table.listings.arn,
      aws_dynamodb_table.sellers.arn,
    ]
  }

  statement {
    # Staging records an upload per form (BatchWriteItem of puts); attaching claims it
    # with a conditional UpdateItem, and a refused write releases its claims the same way.
    sid       = "StageAndClaimUploads"
    actions   = ["dynamodb:BatchWriteItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.uploads.arn]
  }

  statement {
    sid       = "QueryListingsIndexes"
    actions   = ["dynamodb:Query"]
    resources = local.listings_index_arns
  }

  statement {
    sid       = "ReadHistory"
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = [aws_dynamodb_table.history.arn]
  }

  statement {
    sid       = "QueryHistoryIndexes"
    actions   = ["dynamodb:Query"]
    resources = local.history_index_arns
  }

  dynamic "statement" {
    for_each = var.photos_enabled ? [1] : []

    content {
      # The presigned POST is signed with this role's credentials, so S3 authorizes the
      # browser's upload as this role's PutObject; attaching reads the staged file and
      # deletes it once its renditions are written.
      sid       = "StagePhotoUploads"
      actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
      resources = ["${aws_s3_bucket.photos[0].arn}/staging/*"]
    }
  }

  dynamic "statement" {
    for_each = var.photos_enabled ? [1] : []

    content {
      # DeleteObject: a listing write that does not happen after its renditions were
      # written deletes them (graph/resolvers/photos.py `discard`).
      sid       = "WritePhotoRenditions"
      actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
      resources = ["${aws_s3_bucket.photos[0].arn}/renditions/*"]
    }
  }

  statement {
    # Also the photos bucket's key (SSE-KMS): GenerateDataKey to write, Decrypt to read.
    sid       = "UseModuleKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.this.arn]
  }

  statement {
    sid       = "ReadCursorSecret"
    actions   = local.cursor_secret_in_ssm ? ["ssm:GetParameter"] : ["secretsmanager:GetSecretValue"]
    resources = [var.cursor_secret_arn]
  }

  dynamic "statement" {
    for_each = var.cursor_secret_kms_key_arn == null ? [] : [var.cursor_secret_kms_key_arn]

    content {
      sid       = "DecryptCursorSecret"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.gateway.arn}:*"]
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

resource "aws_iam_role_policy" "gateway" {
  name   = "resale-graph-gateway"
  role   = aws_iam_role.gateway.id
  policy = data.aws_iam_policy_document.gateway.json
}

################################################################################
# Audit
################################################################################

resource "aws_iam_role" "audit" {
  name                 = "${local.name}-graph-audit"
  description          = "Resale Graph audit function of tenant ${var.tenant_id} (${var.stage})"
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume_role.json
  permissions_boundary = var.iam_role_permissions_boundary

  tags = local.tags
}

data "aws_iam_policy_document" "audit" {
  statement {
    sid = "ReadAuditedStreams"
    actions = [
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
    ]
    resources = [
      aws_dynamodb_table.listings.stream_arn,
      aws_dynamodb_table.sellers.stream_arn,
    ]
  }

  statement {
    # Lambda lists the table's streams when it validates the mapping; the ARN
    # pattern is AWS's documented one for "the streams of this table".
    sid     = "ListAuditedStreams"
    actions = ["dynamodb:ListStreams"]
    resources = [
      "${aws_dynamodb_table.listings.arn}/stream/*",
      "${aws_dynamodb_table.sellers.arn}/stream/*",
    ]
  }

  statement {
    sid       = "AppendHistory"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.history.arn]
  }

  statement {
    # The shop's facet counters (graph/store/facets.py): an ADD on the item
    # `facets#<status>`, in the TransactWriteItems that appends the history entry (a
    # transaction's Update is authorized as UpdateItem). The condition keeps
    # UpdateItem off the entries themselves (`listing#<id>`, `seller#<id>`).
    sid       = "CountShopFacets"
    actions   = ["dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.history.arn]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "dynamodb:LeadingKeys"
      values   = ["facets#*"]
    }
  }

  dynamic "statement" {
    for_each = var.photos_enabled ? [1] : []

    content {
      # Renditions a listing no longer uses, once history has recorded the change.
      sid       = "DeleteUnusedRenditions"
      actions   = ["s3:DeleteObject"]
      resources = ["${aws_s3_bucket.photos[0].arn}/renditions/*"]
    }
  }

  statement {
    sid       = "UseModuleKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.this.arn]
  }

  statement {
    sid       = "SendFailuresToDlq"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.audit_dlq.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.audit.arn}:*"]
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

resource "aws_iam_role_policy" "audit" {
  name   = "resale-graph-audit"
  role   = aws_iam_role.audit.id
  policy = data.aws_iam_policy_document.audit.json
}
