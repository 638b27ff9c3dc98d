# The tenant's tables. Keys, attribute types, GSIs and streams mirror the table
# specs in graph/store/tables.py (`tenant_table_specs(indexed)`: the listings table
# with the shop's indexes and those of var.indexed_listing_fields);
# tests/infra/test_tables.py fails if they drift, also for each example tenant's
# extension.

locals {
  # Global tables need a NEW_AND_OLD_IMAGES stream on every replicated table, so
  # history (no stream in its spec) gets one only when replicas are configured.
  replicated = length(var.replica_regions) > 0

  tables = {
    listings = aws_dynamodb_table.listings
    sellers  = aws_dynamodb_table.sellers
    history  = aws_dynamodb_table.history
  }
}

resource "aws_dynamodb_table" "listings" {
  name                        = "${var.stage}-${var.tenant_id}-listings"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "listingId"
  deletion_protection_enabled = var.deletion_protection_enabled

  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "listingId"
    type = "S"
  }

  attribute {
    name = "sellerId"
    type = "S"
  }

  attribute {
    name = "productId"
    type = "S"
  }

  attribute {
    name = "createdAt"
    type = "S"
  }

  attribute {
    name = "statusShard"
    type = "S"
  }

  attribute {
    name = "updatedAt"
    type = "S"
  }

  # The listing's price amount as a number: the range key of the shop's price orders.
  attribute {
    name = "priceAmount"
    type = "N"
  }

  # `<status>#<shard>#<value>` of each indexed custom field (IndexedField in
  # graph/store/tables.py); written only when the listing has a value or a default.
  dynamic "attribute" {
    for_each = var.indexed_listing_fields

    content {
      name = "shop_${attribute.value}"
      type = "S"
    }
  }

  global_secondary_index {
    name            = "bySeller"
    hash_key        = "sellerId"
    range_key       = "createdAt"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "byProduct"
    hash_key        = "productId"
    range_key       = "createdAt"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "byStatus"
    hash_key        = "statusShard"
    range_key       = "updatedAt"
    projection_type = "ALL"
  }

  # The shop's orders (SHOP_INDEXES in graph/store/tables.py): newest first, and by
  # price (one index serves both directions), on the sharded status partition.
  global_secondary_index {
    name            = "shopNewest"
    hash_key        = "statusShard"
    range_key       = "createdAt"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "shopPrice"
    hash_key        = "statusShard"
    range_key       = "priceAmount"
    projection_type = "ALL"
  }

  # Two per indexed custom field, sparse where the field is optional. Adding fields
  # to an existing table creates these one at a time (README, "Indexed listing fields").
  dynamic "global_secondary_index" {
    for_each = var.indexed_listing_fields

    content {
      name            = "shop_${global_secondary_index.value}_newest"
      hash_key        = "shop_${global_secondary_index.value}"
      range_key       = "createdAt"
      projection_type = "ALL"
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.indexed_listing_fields

    content {
      name            = "shop_${global_secondary_index.value}_price"
      hash_key        = "shop_${global_secondary_index.value}"
      range_key       = "priceAmount"
      projection_type = "ALL"
    }
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = var.point_in_time_recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  dynamic "replica" {
    for_each = var.replica_regions

    content {
      region_name                 = replica.value
      kms_key_arn                 = lookup(var.replica_kms_key_arns, replica.value, null)
      point_in_time_recovery      = true
      propagate_tags              = true
      deletion_protection_enabled = var.deletion_protection_enabled
    }
  }

  tags = merge(local.tags, { "resale-graph:table" = "listings" })

  lifecycle {
    precondition {
      condition     = alltrue([for region in var.replica_regions : contains(keys(var.replica_kms_key_arns), region)])
      error_message = "Every region in replica_regions needs a customer-managed KMS key ARN in replica_kms_key_arns."
    }
  }
}

resource "aws_dynamodb_table" "sellers" {
  name                        = "${var.stage}-${var.tenant_id}-sellers"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "sellerId"
  deletion_protection_enabled = var.deletion_protection_enabled

  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "sellerId"
    type = "S"
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = var.point_in_time_recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  dynamic "replica" {
    for_each = var.replica_regions

    content {
      region_name                 = replica.value
      kms_key_arn                 = lookup(var.replica_kms_key_arns, replica.value, null)
      point_in_time_recovery      = true
      propagate_tags              = true
      deletion_protection_enabled = var.deletion_protection_enabled
    }
  }

  tags = merge(local.tags, { "resale-graph:table" = "sellers" })

  lifecycle {
    precondition {
      condition     = alltrue([for region in var.replica_regions : contains(keys(var.replica_kms_key_arns), region)])
      error_message = "Every region in replica_regions needs a customer-managed KMS key ARN in replica_kms_key_arns."
    }
  }
}

# Staged photo uploads (graph/store/uploads.py): one item per presigned POST, claimed
# once by the listing write that attaches it; DynamoDB's TTL removes it after its form
# expired. No stream: an upload is not an audited change (the listing write is).
resource "aws_dynamodb_table" "uploads" {
  name                        = "${var.stage}-${var.tenant_id}-uploads"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "uploadId"
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "uploadId"
    type = "S"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = var.point_in_time_recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = merge(local.tags, { "resale-graph:table" = "uploads" })
}

resource "aws_dynamodb_table" "history" {
  name                        = "${var.stage}-${var.tenant_id}-history"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "entityId"
  range_key                   = "atSequence"
  deletion_protection_enabled = var.deletion_protection_enabled

  # No stream in the spec: see local.replicated.
  stream_enabled   = local.replicated
  stream_view_type = local.replicated ? "NEW_AND_OLD_IMAGES" : null

  attribute {
    name = "entityId"
    type = "S"
  }

  attribute {
    name = "atSequence"
    type = "S"
  }

  attribute {
    name = "sellerId"
    type = "S"
  }

  attribute {
    name = "actor"
    type = "S"
  }

  attribute {
    name = "at"
    type = "S"
  }

  global_secondary_index {
    name            = "bySeller"
    hash_key        = "sellerId"
    range_key       = "at"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "byActor"
    hash_key        = "actor"
    range_key       = "at"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = var.point_in_time_recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  dynamic "replica" {
    for_each = var.replica_regions

    content {
      region_name                 = replica.value
      kms_key_arn                 = lookup(var.replica_kms_key_arns, replica.value, null)
      point_in_time_recovery      = true
      propagate_tags              = true
      deletion_protection_enabled = var.deletion_protection_enabled
    }
  }

  tags = merge(local.tags, { "resale-graph:table" = "history" })

  lifecycle {
    precondition {
      condition     = alltrue([for region in var.replica_regions : contains(keys(var.replica_kms_key_arns), region)])
      error_message = "Every region in replica_regions needs a customer-managed KMS key ARN in replica_kms_key_arns."
    }
  }
}

################################################################################
# Optional Kinesis streaming destination
################################################################################

resource "aws_dynamodb_kinesis_streaming_destination" "this" {
  for_each = var.create_kinesis_streaming_destination ? toset(var.kinesis_streaming_tables) : toset([])

  stream_arn                               = local.kinesis_stream_arn
  table_name                               = local.tables[each.key].name
  approximate_creation_date_time_precision = var.kinesis_approximate_creation_date_time_precision

  lifecycle {
    precondition {
      condition     = local.kinesis_stream_arn != null
      error_message = "create_kinesis_streaming_destination = true needs kinesis_stream_arn, or create_kinesis_stream = true."
    }
  }
}

################################################################################
# Live subscriptions: the WebSocket API's connections and their subscriptions
# (graph.store.tables.CONNECTIONS). Items expire by TTL two hours after they were
# written, API Gateway's longest connection; $disconnect deletes them earlier.
################################################################################

resource "aws_dynamodb_table" "connections" {
  name                        = "${var.stage}-${var.tenant_id}-connections"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "connectionId"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "connectionId"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  attribute {
    name = "topic"
    type = "S"
  }

  global_secondary_index {
    name            = "byTopic"
    hash_key        = "topic"
    range_key       = "connectionId"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = var.point_in_time_recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  # No replicas: a connection lives in the region of the API Gateway that holds it.

  tags = merge(local.tags, { "resale-graph:table" = "connections" })
}
