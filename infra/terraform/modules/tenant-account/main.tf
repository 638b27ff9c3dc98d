# One tenant account of Resale Graph: the tenant's DynamoDB tables, the gateway
# Lambda behind an API Gateway HTTP API, the audit Lambda fed by the tables'
# streams, live subscriptions over an API Gateway WebSocket API with a fan-out
# Lambda on the listings stream, an optional Kinesis change feed, one
# customer-managed KMS key for all of it, least-privilege roles and alarms, the
# listing photos bucket behind CloudFront, and an optional CloudFront in front of the
# API. Files by concern: dynamodb.tf, lambda.tf, apigw.tf, audit.tf, iam.tf,
# alarms.tf, websocket.tf, fanout.tf, kinesis.tf, photos.tf, api_cdn.tf.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  # `<stage>-<tenant>`: the prefix of every name, and of the physical table names
  # (`graph.store.tables.physical_table_names`).
  name = "${var.stage}-${var.tenant_id}"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  tags = merge(var.tags, {
    "resale-graph:tenant" = var.tenant_id
    "resale-graph:stage"  = var.stage
  })

  gateway_function_name = "${local.name}-graph-gateway"
  audit_function_name   = "${local.name}-graph-audit"
  ws_function_name      = "${local.name}-graph-websocket"
  fanout_function_name  = "${local.name}-graph-fanout"

  # Log group names are known before the groups exist, so the key policy can name
  # them without a dependency cycle.
  log_group_names = {
    gateway    = "/aws/lambda/${local.gateway_function_name}"
    audit      = "/aws/lambda/${local.audit_function_name}"
    api_access = "/aws/apigateway/${local.name}-graph/access"
    websocket  = "/aws/lambda/${local.ws_function_name}"
    fanout     = "/aws/lambda/${local.fanout_function_name}"
    ws_access  = "/aws/apigateway/${local.name}-graph-live/access"
  }
}

################################################################################
# KMS: one customer-managed key for the tables, their streams and replicas'
# source, the audit DLQ, the log groups, the functions' environment and the photos.
################################################################################

data "aws_iam_policy_document" "kms" {
  # A key policy's Resource can only be "*", which means this key and nothing else.
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is this key only; the root statement is AWS's default that delegates key access to IAM policies in this account.
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is this key only; the root statement is AWS's default that delegates key access to IAM policies in this account.
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" is this key only; a key policy cannot name any other resource.
  statement {
    sid       = "EnableIamPoliciesInThisAccount"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_administrator_arns) > 0 ? [1] : []

    content {
      sid = "KeyAdministrators"
      actions = [
        "kms:CancelKeyDeletion",
        "kms:Create*",
        "kms:Delete*",
        "kms:Describe*",
        "kms:Disable*",
        "kms:Enable*",
        "kms:Get*",
        "kms:List*",
        "kms:Put*",
        "kms:Revoke*",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:Update*",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.kms_key_administrator_arns
      }
    }
  }

  statement {
    sid = "CloudWatchLogsForThisModulesLogGroups"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values = [
        for name in values(local.log_group_names) :
        "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"
      ]
    }
  }

  # The photos bucket is encrypted with this key (photos.tf): CloudFront's origin access
  # control decrypts the renditions it fetches, for this distribution only.
  dynamic "statement" {
    for_each = var.photos_enabled ? [1] : []

    content {
      sid       = "CloudFrontDecryptsPhotoRenditions"
      actions   = ["kms:Decrypt"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "AWS:SourceArn"
        values   = [aws_cloudfront_distribution.photos[0].arn]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "Resale Graph ${local.name}: tables, streams, audit DLQ, logs, Lambda environment"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms.json

  tags = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/resale-graph/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}
