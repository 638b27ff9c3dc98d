# Optional change feed: a Kinesis data stream the tables stream to (see
# dynamodb.tf, aws_dynamodb_kinesis_streaming_destination). Off by default; an
# operator can also pass a stream of their own in kinesis_stream_arn. Consumers
# read it under the versioned event contract in docs/events.md.

locals {
  kinesis_stream_arn = var.create_kinesis_stream ? aws_kinesis_stream.changes[0].arn : var.kinesis_stream_arn
}

resource "aws_kinesis_stream" "changes" {
  count = var.create_kinesis_stream ? 1 : 0

  name             = "${local.name}-graph-changes"
  retention_period = var.kinesis_stream_retention_period

  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }

  encryption_type = "KMS"
  kms_key_id      = aws_kms_key.this.arn

  tags = local.tags

  lifecycle {
    precondition {
      condition     = var.kinesis_stream_arn == null
      error_message = "Set either create_kinesis_stream = true or kinesis_stream_arn, not both."
    }
  }
}
