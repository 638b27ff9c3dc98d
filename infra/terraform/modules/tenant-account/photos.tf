# Listing photos (the architecture's "Photos"). Bytes never pass through GraphQL:
#
#   staging/<upload id>     the browser or back end POSTs the file here with a presigned
#                           POST the gateway signs (size and type fixed by the policy);
#                           unattached uploads expire by lifecycle rule
#   renditions/<hash>.<ext> written by the gateway itself (inline, no processing Lambda)
#                           when a listing write attaches an upload: decoded, stripped,
#                           content-hashed, never overwritten, stored with Cache-Control
#                           "public, max-age=31536000, immutable" (which CloudFront
#                           passes to browsers); served by CloudFront
#
# The audit function deletes renditions a listing no longer uses. The public URL of a
# rendition is GRAPH_PHOTOS_PUBLIC_URL + "/" + its key (renditions/...).
#
# Encryption: SSE-KMS with the module key and S3 Bucket Keys. Staged uploads are
# unprocessed user files (EXIF, GPS) and get the same customer-managed key, key policy
# and CloudTrail record as the tables; Bucket Keys cut the KMS requests to about one per
# bucket key lifetime, and CloudFront fetches an immutable rendition from S3 about once
# per edge. CloudFront decrypts through its own key-policy statement (main.tf), limited
# to this distribution.

locals {
  photos_count = var.photos_enabled ? 1 : 0

  # Bucket names are global: <stage>-<tenant> and the account id make it unique.
  photos_bucket_name = coalesce(var.photos_bucket_name, "${local.name}-photos-${local.account_id}")

  photos_public_url = var.photos_enabled ? "https://${coalesce(var.photos_domain_name, aws_cloudfront_distribution.photos[0].domain_name)}" : null

  photos_gateway_environment = var.photos_enabled ? {
    GRAPH_PHOTOS_BUCKET     = aws_s3_bucket.photos[0].id
    GRAPH_PHOTOS_PUBLIC_URL = local.photos_public_url
  } : {}

  photos_audit_environment = var.photos_enabled ? {
    GRAPH_PHOTOS_BUCKET = aws_s3_bucket.photos[0].id
  } : {}
}

################################################################################
# Bucket
################################################################################

resource "aws_s3_bucket" "photos" {
  #checkov:skip=CKV_AWS_18:Server access logs would need a second bucket per tenant account; uploads are signed (and logged) by the gateway, renditions are read only through CloudFront, and CloudTrail S3 data events give object-level logs where an audit requires them.
  #checkov:skip=CKV_AWS_144:Renditions are derived, public and served from CloudFront's edge caches; versioning with noncurrent retention guards against deletion, and cross-region replication would double storage and need a second bucket and key per tenant.
  #checkov:skip=CKV2_AWS_62:Nothing consumes S3 events: the gateway processes an upload inline when a listing write attaches it, and the audit function deletes renditions from the listings stream.
  count = local.photos_count

  bucket = local.photos_bucket_name

  tags = local.tags
}

resource "aws_s3_bucket_public_access_block" "photos" {
  count = local.photos_count

  bucket                  = aws_s3_bucket.photos[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "photos" {
  count = local.photos_count

  bucket = aws_s3_bucket.photos[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "photos" {
  count = local.photos_count

  bucket = aws_s3_bucket.photos[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

# Renditions are never overwritten (content-hashed keys); versioning keeps a deleted one
# for photos_noncurrent_version_expiration_days, should the audit function delete too much.
resource "aws_s3_bucket_versioning" "photos" {
  count = local.photos_count

  bucket = aws_s3_bucket.photos[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "photos" {
  count = local.photos_count

  bucket = aws_s3_bucket.photos[0].id

  rule {
    id     = "staging-uploads-expire"
    status = "Enabled"

    filter {
      prefix = "staging/"
    }

    expiration {
      days = var.photos_staging_expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  rule {
    id     = "housekeeping"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }

    noncurrent_version_expiration {
      noncurrent_days = var.photos_noncurrent_version_expiration_days
    }

    expiration {
      expired_object_delete_marker = true
    }
  }

  depends_on = [aws_s3_bucket_versioning.photos]
}

# Browsers POST uploads straight to the bucket from the tenant's own origins (and may
# read a staged file back). Without origins, only back ends can upload.
resource "aws_s3_bucket_cors_configuration" "photos" {
  count = var.photos_enabled && length(var.cors_allowed_origins) > 0 ? 1 : 0

  bucket = aws_s3_bucket.photos[0].id

  cors_rule {
    allowed_origins = var.cors_allowed_origins
    allowed_methods = ["POST", "GET"]
    allowed_headers = ["*"]
    expose_headers  = ["ETag", "Location"]
    max_age_seconds = 3600
  }
}

data "aws_iam_policy_document" "photos_bucket" {
  count = local.photos_count

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.photos[0].arn, "${aws_s3_bucket.photos[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyTlsBelow12"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.photos[0].arn, "${aws_s3_bucket.photos[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }

  statement {
    sid       = "CloudFrontReadsRenditions"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.photos[0].arn}/renditions/*"]

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

resource "aws_s3_bucket_policy" "photos" {
  count = local.photos_count

  bucket = aws_s3_bucket.photos[0].id
  policy = data.aws_iam_policy_document.photos_bucket[0].json

  depends_on = [aws_s3_bucket_public_access_block.photos]
}

################################################################################
# CloudFront: renditions, immutable
################################################################################

resource "aws_cloudfront_origin_access_control" "photos" {
  count = local.photos_count

  name                              = "${local.name}-photos"
  description                       = "Resale Graph ${local.name}: CloudFront reads listing photo renditions"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# Content-hashed keys never change content: cache a year, key on the path alone.
resource "aws_cloudfront_cache_policy" "photos" {
  count = local.photos_count

  name        = "${local.name}-photos-immutable"
  comment     = "Content-hashed listing photo renditions: immutable, keyed on the path only"
  min_ttl     = 31536000
  default_ttl = 31536000
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

resource "aws_cloudfront_response_headers_policy" "photos" {
  count = local.photos_count

  name    = "${local.name}-photos"
  comment = "Listing photo renditions: security headers, CORS for the tenant's origins"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_type_options {
      override = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
  }

  # Widgets that draw renditions on a canvas (crossorigin) need CORS on GET; answered at
  # the edge, so the cache key stays the path alone.
  dynamic "cors_config" {
    for_each = length(var.cors_allowed_origins) > 0 ? [1] : []

    content {
      access_control_allow_credentials = false
      access_control_max_age_sec       = 3600
      origin_override                  = true

      access_control_allow_headers {
        items = ["*"]
      }

      access_control_allow_methods {
        items = ["GET", "HEAD"]
      }

      access_control_allow_origins {
        items = var.cors_allowed_origins
      }
    }
  }
}

resource "aws_cloudfront_distribution" "photos" {
  #checkov:skip=CKV2_AWS_47:WAF is optional (cdn_web_acl_arn); the origin is S3 serving static images, which Log4j payloads cannot reach.
  #checkov:skip=CKV_AWS_86:Standard logs need an S3 bucket with ACLs enabled, which this module disables; the images are public and immutable, and CloudFront's metrics cover the edge.
  #checkov:skip=CKV_AWS_305:No root object: the distribution serves renditions by their content-hashed keys, and "/" is not one.
  #checkov:skip=CKV_AWS_310:One origin: the tenant's bucket in its region; a failover origin would need a replicated bucket (see the bucket's CKV_AWS_144 skip).
  #checkov:skip=CKV_AWS_374:Tenants sell worldwide; listing photos are public by design.
  count = local.photos_count

  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  comment         = "Resale Graph ${local.name}: listing photo renditions"
  price_class     = var.cdn_price_class
  aliases         = var.photos_domain_name == null ? [] : [var.photos_domain_name]
  web_acl_id      = var.cdn_web_acl_arn

  origin {
    origin_id                = "photos"
    domain_name              = aws_s3_bucket.photos[0].bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.photos[0].id
  }

  default_cache_behavior {
    target_origin_id           = "photos"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    viewer_protocol_policy     = "redirect-to-https"
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.photos[0].id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.photos[0].id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.photos_acm_certificate_arn == null
    acm_certificate_arn            = var.photos_acm_certificate_arn
    ssl_support_method             = var.photos_acm_certificate_arn == null ? null : "sni-only"
    minimum_protocol_version       = var.photos_acm_certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
  }

  tags = local.tags

  lifecycle {
    precondition {
      condition     = (var.photos_domain_name == null) == (var.photos_acm_certificate_arn == null)
      error_message = "Set photos_domain_name and photos_acm_certificate_arn together (an ACM certificate in us-east-1 covering the domain), or neither."
    }
  }
}
