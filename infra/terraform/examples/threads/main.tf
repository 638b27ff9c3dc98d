# Root module for tenant "threads": everything lives in the tenant's own account,
# reached by assuming the deployment role the account bootstrap created.

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.tenant_account_id]

  assume_role {
    role_arn     = var.tenant_role_arn
    session_name = "resale-graph-terraform-threads"
    external_id  = var.tenant_role_external_id
  }

  default_tags {
    tags = {
      "resale-graph:managed-by" = "terraform"
      "resale-graph:root"       = "infra/terraform/examples/threads"
    }
  }
}

module "tenant_account" {
  source = "../../modules/tenant-account"

  tenant_id = "threads"
  stage     = var.stage

  lambda_package_path = coalesce(var.lambda_package_path, "${path.module}/../../../../dist/lambda.zip")
  lambda_architecture = var.lambda_architecture

  cursor_secret_arn         = var.cursor_secret_arn
  cursor_secret_kms_key_arn = var.cursor_secret_kms_key_arn

  # The listing fields tenants/extensions/threads.yaml declares `indexed = true`: the
  # shop's indexes of this tenant (tests/infra/test_tables.py fails if they differ).
  indexed_listing_fields = ["size_label"]

  replica_regions      = var.replica_regions
  replica_kms_key_arns = var.replica_kms_key_arns

  create_kinesis_streaming_destination = var.kinesis_stream_arn != null
  kinesis_stream_arn                   = var.kinesis_stream_arn

  alarm_sns_topic_arn = var.alarm_sns_topic_arn

  # Listing photos: browsers upload from the tenant's origins (the registry's `origins`).
  cors_allowed_origins = var.cors_allowed_origins

  # CloudFront in front of the API for the widget's cacheable GETs, off unless asked for.
  api_cdn_enabled = var.api_cdn_enabled

  # The change feed for other business flows (docs/events.md), off unless asked for.
  create_kinesis_stream                = var.change_feed_enabled
  create_kinesis_streaming_destination = var.change_feed_enabled

  tags = var.tags
}
