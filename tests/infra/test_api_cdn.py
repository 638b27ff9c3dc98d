"""The optional CloudFront in front of the HTTP API: off by default; caches only what the
gateway marks cacheable, per query, API key and origin; every method passes through."""

from __future__ import annotations

from typing import Any

from tests.infra.hcl import Config, _block, module

API_CDN_RESOURCES = (
    "aws_cloudfront_cache_policy",
    "aws_cloudfront_origin_request_policy",
    "aws_cloudfront_response_headers_policy",
    "aws_cloudfront_distribution",
)


def _api(config: Config, type_: str) -> dict[str, Any]:
    found = config.resources_of(type_).get("api")
    assert found, f"no {type_}.api"
    return found


def _header_items(headers_config: dict[str, Any]) -> set[str]:
    if headers_config["header_behavior"] == "none":
        return set()
    assert headers_config["header_behavior"] == "whitelist", "name the headers"
    return {str(item).lower() for item in _block(headers_config, "headers")["items"]}


def test_api_cdn_is_off_by_default() -> None:
    config = module()
    assert config.default("api_cdn_enabled") is False
    for type_ in API_CDN_RESOURCES:
        count = _api(config, type_)["count"]
        assert config.evaluate(count) == 0, type_
        assert config.assuming(api_cdn_enabled=True).evaluate(count) == 1, type_


def test_api_cdn_cache_key_and_ttls() -> None:
    config = module()
    cache = _api(config, "aws_cloudfront_cache_policy")
    # The gateway's Cache-Control decides: nothing without it, never longer than the cap.
    assert cache["min_ttl"] == 0
    assert cache["default_ttl"] == 0
    assert cache["max_ttl"] == "${var.api_cdn_max_ttl}"
    assert 0 < config.default("api_cdn_max_ttl") <= 3600
    # All TTLs 0 would disable caching, and CloudFront then refuses any cache key.
    (validation,) = config.variables["api_cdn_max_ttl"]["validation"]
    assert config.assuming(api_cdn_max_ttl=0).evaluate(validation["condition"]) is False
    key = _block(cache, "parameters_in_cache_key_and_forwarded_to_origin")
    assert _block(key, "query_strings_config")["query_string_behavior"] == "all"
    assert _block(key, "cookies_config")["cookie_behavior"] == "none"
    headers = _header_items(_block(key, "headers_config"))
    assert "x-api-key" in headers, "one cached answer per tenant key"
    # CloudFront ignores `Vary: Origin`: the CORS answer must be keyed by the origin.
    assert "origin" in headers
    assert key["enable_accept_encoding_gzip"] is True
    assert key["enable_accept_encoding_brotli"] is True


def test_api_cdn_forwards_what_the_gateway_reads() -> None:
    config = module()
    request = _api(config, "aws_cloudfront_origin_request_policy")
    forwarded = _header_items(_block(request, "headers_config"))
    assert "host" not in forwarded, "API Gateway routes on its own execute-api host"
    assert "accept-encoding" not in forwarded, "the cache policy's compression flags own it"
    assert {"accept", "content-type"} <= forwarded
    assert _block(request, "cookies_config")["cookie_behavior"] == "none"


def test_api_cdn_distribution() -> None:
    config = module()
    distribution = _api(config, "aws_cloudfront_distribution")
    origin = _block(distribution, "origin")
    assert origin["domain_name"] == "${local.api_origin_domain}"
    assert "aws_apigatewayv2_api.this.api_endpoint" in config.locals["api_origin_domain"]
    custom = _block(origin, "custom_origin_config")
    assert custom["origin_protocol_policy"] == "https-only"
    assert custom["origin_ssl_protocols"] == ["TLSv1.2"]

    behavior = _block(distribution, "default_cache_behavior")
    assert set(behavior["allowed_methods"]) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
    }
    assert set(behavior["cached_methods"]) == {"GET", "HEAD", "OPTIONS"}
    assert behavior["viewer_protocol_policy"] == "https-only", "a redirected POST loses its body"
    assert behavior["compress"] is True
    assert behavior["cache_policy_id"] == "${aws_cloudfront_cache_policy.api[0].id}"
    assert behavior["origin_request_policy_id"] == (
        "${aws_cloudfront_origin_request_policy.api[0].id}"
    )
    assert "forwarded_values" not in behavior, "legacy cache settings"

    output = module().outputs["cloudfront_api_distribution_domain_name"]
    assert output["value"] == "${one(aws_cloudfront_distribution.api[*].domain_name)}"
