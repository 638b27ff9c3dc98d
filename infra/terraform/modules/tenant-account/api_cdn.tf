# Optional CloudFront in front of the HTTP API (api_cdn_enabled), for the public GETs
# widgets repeat (persisted queries by hash). Nothing is cached unless the gateway says
# so: default and minimum TTL are 0, so only a response with Cache-Control max-age (at
# most api_cdn_max_ttl) is kept. POSTs and the other methods pass through uncached.
#
# The cache key holds everything a cached answer depends on: the query string (the
# persisted operation and its variables), X-Api-Key (the tenant and its key's scopes),
# and Origin plus the preflight headers, because the gateway's CORS headers depend on
# them and CloudFront does not honour `Vary: Origin`.

locals {
  api_cdn_count = var.api_cdn_enabled ? 1 : 0

  # The execute-api host of the HTTP API (api_endpoint is https://<id>.execute-api...).
  api_origin_domain = trimprefix(aws_apigatewayv2_api.this.api_endpoint, "https://")
}

resource "aws_cloudfront_cache_policy" "api" {
  count = local.api_cdn_count

  name        = "${local.name}-graph-api"
  comment     = "Resale Graph API: the gateway's Cache-Control decides; keyed per query, key and origin"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = var.api_cdn_max_ttl

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "whitelist"

      headers {
        items = ["X-Api-Key", "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
      }
    }

    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

# What the gateway reads besides the cache key. Never Host: API Gateway routes on its own
# execute-api host name.
resource "aws_cloudfront_origin_request_policy" "api" {
  count = local.api_cdn_count

  name    = "${local.name}-graph-api"
  comment = "Resale Graph API: headers the gateway reads that are not in the cache key"

  cookies_config {
    cookie_behavior = "none"
  }

  headers_config {
    header_behavior = "whitelist"

    headers {
      items = ["Accept", "Content-Type", "X-Request-Id"]
    }
  }

  query_strings_config {
    query_string_behavior = "none" # all of them are in the cache key, hence forwarded
  }
}

resource "aws_cloudfront_response_headers_policy" "api" {
  count = local.api_cdn_count

  name    = "${local.name}-graph-api"
  comment = "Resale Graph API: HSTS; the gateway's own headers (CORS, Cache-Control) pass unchanged"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_type_options {
      override = false
    }
  }
}

resource "aws_cloudfront_distribution" "api" {
  #checkov:skip=CKV2_AWS_47:WAF is optional (cdn_web_acl_arn); the gateway is Python with no Java logging on any path.
  #checkov:skip=CKV_AWS_86:Standard logs need an S3 bucket with ACLs enabled, which this module disables; every request that reaches the origin is in the API stage's JSON access log, and CloudFront's metrics cover cache hits.
  #checkov:skip=CKV_AWS_305:No root object: the distribution fronts an API whose paths are /graphql, /schema.graphql and /healthz.
  #checkov:skip=CKV_AWS_310:One origin: the tenant's HTTP API in its region; a failover origin would need the gateway and tables in a second region.
  #checkov:skip=CKV_AWS_374:Tenants sell worldwide; the API authenticates keys and origins itself.
  count = local.api_cdn_count

  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  comment         = "Resale Graph ${local.name}: GraphQL API"
  price_class     = var.cdn_price_class
  aliases         = var.api_cdn_domain_name == null ? [] : [var.api_cdn_domain_name]
  web_acl_id      = var.cdn_web_acl_arn

  origin {
    origin_id   = "api"
    domain_name = local.api_origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
      origin_read_timeout    = 30
    }
  }

  default_cache_behavior {
    target_origin_id           = "api"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD", "OPTIONS"]
    viewer_protocol_policy     = "https-only"
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.api[0].id
    origin_request_policy_id   = aws_cloudfront_origin_request_policy.api[0].id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.api[0].id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.api_cdn_acm_certificate_arn == null
    acm_certificate_arn            = var.api_cdn_acm_certificate_arn
    ssl_support_method             = var.api_cdn_acm_certificate_arn == null ? null : "sni-only"
    minimum_protocol_version       = var.api_cdn_acm_certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
  }

  tags = local.tags

  lifecycle {
    precondition {
      condition     = (var.api_cdn_domain_name == null) == (var.api_cdn_acm_certificate_arn == null)
      error_message = "Set api_cdn_domain_name and api_cdn_acm_certificate_arn together (an ACM certificate in us-east-1 covering the domain), or neither."
    }
  }
}
