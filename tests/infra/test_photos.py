"""Listing photos: a private, KMS-encrypted, TLS-only bucket per tenant account, staged
uploads that expire, CORS from the tenant's origins, CloudFront with origin access
control and an immutable cache, and the functions' GRAPH_PHOTOS_* environment."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infra.hcl import (
    AUDIT_HANDLER,
    EXAMPLE_TENANTS,
    FANOUT_HANDLER,
    GATEWAY_HANDLER,
    TF_ROOT,
    WEBSOCKET_HANDLER,
    Config,
    _block,
    _blocks,
    module,
)
from tests.infra.policies import _all_configs, _policy_document_by_handler, _statements

BUCKET_ARN = "${aws_s3_bucket.photos[0].arn}"
DISTRIBUTION_ARN = "${aws_cloudfront_distribution.photos[0].arn}"
ONE_YEAR = 365 * 24 * 3600
PHOTO_RESOURCES = (
    "aws_s3_bucket",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_policy",
    "aws_cloudfront_origin_access_control",
    "aws_cloudfront_cache_policy",
    "aws_cloudfront_response_headers_policy",
    "aws_cloudfront_distribution",
)


def _photos(config: Config, type_: str) -> dict[str, Any]:
    found = config.resources_of(type_).get("photos")
    assert found, f"no {type_}.photos"
    return found


def _condition(statement: dict[str, Any]) -> tuple[str, str, list[str]]:
    condition = _block(statement, "condition")
    return condition["test"], condition["variable"], condition["values"]


def test_photos_are_on_by_default_and_optional() -> None:
    config = module()
    assert config.default("photos_enabled") is True
    for type_ in PHOTO_RESOURCES:
        count = _photos(config, type_)["count"]
        assert config.evaluate(count) == 1, type_
        assert config.assuming(photos_enabled=False).evaluate(count) == 0, type_
    name = str(config.locals["photos_bucket_name"])
    assert config.default("photos_bucket_name") is None
    assert "local.name" in name, "the default bucket name must carry <stage>-<tenant>"
    assert "local.account_id" in name, "the default bucket name must be unique across AWS"


def test_photos_bucket_is_private_encrypted_and_tls_only() -> None:
    config = module()
    bucket_id = "${aws_s3_bucket.photos[0].id}"
    block = _photos(config, "aws_s3_bucket_public_access_block")
    assert block["bucket"] == bucket_id
    for flag in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block.get(flag) is True, flag
    ownership = _block(_photos(config, "aws_s3_bucket_ownership_controls"), "rule")
    assert ownership["object_ownership"] == "BucketOwnerEnforced"
    for config_ in _all_configs():
        assert "aws_s3_bucket_acl" not in config_.resources, "ACLs are disabled: no bucket ACL"

    rule = _block(_photos(config, "aws_s3_bucket_server_side_encryption_configuration"), "rule")
    default = _block(rule, "apply_server_side_encryption_by_default")
    assert default["sse_algorithm"] == "aws:kms"
    assert default["kms_master_key_id"] == "${aws_kms_key.this.arn}"
    assert rule.get("bucket_key_enabled") is True, "Bucket Keys keep KMS requests down"
    versioning = _block(_photos(config, "aws_s3_bucket_versioning"), "versioning_configuration")
    assert versioning["status"] == "Enabled"

    policy = _photos(config, "aws_s3_bucket_policy")
    assert policy["policy"] == "${data.aws_iam_policy_document.photos_bucket[0].json}"
    statements = list(_statements(config.data["aws_iam_policy_document"]["photos_bucket"]))
    denies = [s for s in statements if s.get("effect") == "Deny"]
    tls = [s for s in denies if _condition(s) == ("Bool", "aws:SecureTransport", ["false"])]
    assert tls, "the bucket policy must deny requests without TLS"
    assert _block(tls[0], "principals") == {"type": "*", "identifiers": ["*"]}
    assert tls[0]["actions"] == ["s3:*"]
    assert set(tls[0]["resources"]) == {BUCKET_ARN, f"{BUCKET_ARN}/*"}

    (allow,) = [s for s in statements if s.get("effect", "Allow") == "Allow"]
    assert _block(allow, "principals") == {
        "type": "Service",
        "identifiers": ["cloudfront.amazonaws.com"],
    }
    assert allow["actions"] == ["s3:GetObject"]
    assert allow["resources"] == [f"{BUCKET_ARN}/renditions/*"], "CloudFront reads renditions only"
    assert _condition(allow) == ("StringEquals", "AWS:SourceArn", [DISTRIBUTION_ARN])


def test_cloudfront_may_decrypt_with_the_module_key_for_its_distribution_only() -> None:
    config = module()
    key_policy = config.data["aws_iam_policy_document"]["kms"]
    statements = [s for s in _statements(key_policy) if "cloudfront" in str(s)]
    assert len(statements) == 1
    assert statements[0]["actions"] == ["kms:Decrypt"]
    assert _condition(statements[0]) == ("StringEquals", "AWS:SourceArn", [DISTRIBUTION_ARN])
    # Writers need the key too: the gateway encrypts (and reads) with it.
    gateway = _policy_document_by_handler(config)[GATEWAY_HANDLER]
    grants = [s for s in _statements(gateway) if "kms:GenerateDataKey" in s.get("actions", [])]
    assert grants
    assert all(s["resources"] == ["${aws_kms_key.this.arn}"] for s in grants)
    assert all("kms:Decrypt" in s["actions"] for s in grants)


def test_lifecycle_expires_staging_and_keeps_renditions() -> None:
    config = module()
    rules = _blocks(_photos(config, "aws_s3_bucket_lifecycle_configuration"), "rule")
    assert all(rule["status"] == "Enabled" for rule in rules)
    prefixes = {_block(rule, "filter").get("prefix", ""): rule for rule in rules}
    staging = prefixes["staging/"]
    assert _block(staging, "expiration")["days"] == "${var.photos_staging_expiration_days}"
    assert config.default("photos_staging_expiration_days") == 1
    whole_bucket = prefixes[""]
    assert _block(whole_bucket, "abort_incomplete_multipart_upload")["days_after_initiation"] <= 7
    noncurrent = _block(whole_bucket, "noncurrent_version_expiration")["noncurrent_days"]
    assert config.evaluate(noncurrent) >= 1
    # No rule may expire a current rendition: only staging/ objects expire by age.
    for prefix, rule in prefixes.items():
        if prefix != "staging/":
            for expiration in _blocks(rule, "expiration"):
                assert "days" not in expiration, prefix
                assert "date" not in expiration, prefix


def test_cors_origins_are_the_tenants_origins() -> None:
    config = module()
    cors = _photos(config, "aws_s3_bucket_cors_configuration")
    rule = _block(cors, "cors_rule")
    assert rule["allowed_origins"] == "${var.cors_allowed_origins}"
    assert set(rule["allowed_methods"]) == {"POST", "GET"}
    assert rule["max_age_seconds"] > 0
    assert config.default("cors_allowed_origins") == []
    assert config.evaluate(cors["count"]) == 0, "no origins: no CORS rule (S3 needs one origin)"
    with_origins = config.assuming(cors_allowed_origins=["https://shop.kicks.example"])
    assert with_origins.evaluate(cors["count"]) == 1
    headers = _photos(config, "aws_cloudfront_response_headers_policy")
    (edge_cors,) = [d["cors_config"] for d in _blocks(headers, "dynamic") if "cors_config" in d]
    allowed = _block(_block(edge_cors, "content"), "access_control_allow_origins")
    assert allowed["items"] == "${var.cors_allowed_origins}"


@pytest.mark.parametrize("tenant", EXAMPLE_TENANTS)
def test_examples_pass_the_tenants_origins(tenant: str) -> None:
    (call,) = Config(TF_ROOT / "examples" / tenant).modules.values()
    assert call["cors_allowed_origins"] == "${var.cors_allowed_origins}"


def test_cdn_uses_origin_access_control_and_an_immutable_cache() -> None:
    config = module()
    for config_ in _all_configs():
        assert "aws_cloudfront_origin_access_identity" not in config_.resources, "legacy OAI"
    oac = _photos(config, "aws_cloudfront_origin_access_control")
    assert oac["origin_access_control_origin_type"] == "s3"
    assert oac["signing_behavior"] == "always"
    assert oac["signing_protocol"] == "sigv4"

    distribution = _photos(config, "aws_cloudfront_distribution")
    origin = _block(distribution, "origin")
    assert origin["domain_name"] == "${aws_s3_bucket.photos[0].bucket_regional_domain_name}"
    oac_id = "${aws_cloudfront_origin_access_control.photos[0].id}"
    assert origin["origin_access_control_id"] == oac_id
    assert "s3_origin_config" not in origin, "no legacy origin access identity"
    behavior = _block(distribution, "default_cache_behavior")
    assert behavior["viewer_protocol_policy"] == "redirect-to-https"
    assert behavior["compress"] is True
    assert set(behavior["allowed_methods"]) == {"GET", "HEAD"}
    assert behavior["cache_policy_id"] == "${aws_cloudfront_cache_policy.photos[0].id}"
    assert "forwarded_values" not in behavior, "legacy cache settings"

    cache = _photos(config, "aws_cloudfront_cache_policy")
    for ttl in ("min_ttl", "default_ttl", "max_ttl"):
        assert cache[ttl] >= ONE_YEAR, f"{ttl}: content-hashed renditions never change"
    key = _block(cache, "parameters_in_cache_key_and_forwarded_to_origin")
    assert _block(key, "cookies_config")["cookie_behavior"] == "none"
    assert _block(key, "headers_config")["header_behavior"] == "none"
    assert _block(key, "query_strings_config")["query_string_behavior"] == "none"

    certificate = _block(distribution, "viewer_certificate")
    custom = config.assuming(
        photos_domain_name="photos.kicks.example",
        photos_acm_certificate_arn="arn:aws:acm:us-east-1:111111111111:certificate/abc",
    )
    assert custom.evaluate(certificate["minimum_protocol_version"]) == "TLSv1.2_2021"
    assert custom.evaluate(certificate["cloudfront_default_certificate"]) is False
    assert custom.evaluate(distribution["price_class"]) == "PriceClass_All"


def test_functions_get_the_photos_environment() -> None:
    config = module()
    functions = {
        body["handler"]: str(_block(body, "environment")["variables"])
        for body in config.resources_of("aws_lambda_function").values()
    }
    assert "local.photos_gateway_environment" in functions[GATEWAY_HANDLER]
    assert "local.photos_audit_environment" in functions[AUDIT_HANDLER]
    for handler in (WEBSOCKET_HANDLER, FANOUT_HANDLER):
        assert "photos" not in functions[handler], handler
    gateway = str(config.locals["photos_gateway_environment"])
    assert re.search(r"GRAPH_PHOTOS_BUCKET = aws_s3_bucket\.photos\[0\]\.id\b", gateway)
    assert "GRAPH_PHOTOS_PUBLIC_URL = local.photos_public_url" in gateway
    audit = str(config.locals["photos_audit_environment"])
    assert re.search(r"GRAPH_PHOTOS_BUCKET = aws_s3_bucket\.photos\[0\]\.id\b", audit)
    assert "PUBLIC_URL" not in audit
    public_url = str(config.locals["photos_public_url"])
    assert re.search(
        r'"https://\$\{coalesce\(var\.photos_domain_name, '
        r"aws_cloudfront_distribution\.photos\[0\]\.domain_name\)\}\"",
        public_url,
    )
    for environment in (gateway, audit):  # nothing at all without the bucket
        assert environment.startswith("${var.photos_enabled ? {")
        assert environment.endswith(" : {}}")


def test_photos_outputs() -> None:
    outputs = module().outputs
    for name in (
        "s3_photos_bucket_name",
        "s3_photos_bucket_arn",
        "cloudfront_photos_distribution_id",
        "cloudfront_photos_distribution_domain_name",
        "cloudfront_photos_public_url",
    ):
        assert name in outputs, name
    assert outputs["cloudfront_photos_public_url"]["value"] == "${local.photos_public_url}"
