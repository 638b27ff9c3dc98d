"""A tenant's photo bucket as the dev stack and the tests serve it (issue 27).

On AWS the Terraform module (infra/terraform/modules/tenant-account/photos.tf) creates
the bucket, its CORS rule from the tenant's origins, and a policy that lets only
CloudFront read, and only `renditions/`. `create_bucket` does the same on the local S3
server: the bucket if missing, the same CORS rule, and a policy letting anonymous
readers (the browser, standing in for the CDN) GET `renditions/*` and nothing else, so
a staged upload that was never checked is not served. It is idempotent: applied again
at every `graph dev` start and registry change, so an origin added later reaches the
bucket's CORS.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from graph.store.photos import RENDITIONS

#: What a browser on the tenant's origins may do cross-origin (as photos.tf allows).
CORS_METHODS = ("POST", "GET")


def public_renditions_policy(bucket: str) -> dict[str, Any]:
    """Anonymous GET of renditions only: no listing, no `staging/`."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AnyoneReadsRenditions",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/{RENDITIONS}*"],
            }
        ],
    }


def cors_rules(origins: Sequence[str]) -> dict[str, Any]:
    return {
        "CORSRules": [
            {
                "AllowedOrigins": list(origins),
                "AllowedMethods": list(CORS_METHODS),
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag", "Location"],
                "MaxAgeSeconds": 3600,
            }
        ]
    }


async def create_bucket(client: Any, bucket: str, *, origins: Sequence[str] = ()) -> bool:
    """Create a tenant's photo bucket if missing and (again) set its read policy and
    its CORS rule for `origins` (none: no CORS rule, back-end uploads only). True if
    the bucket was created. For the local S3 server (dev stack, tests, onboarding in
    dev); on AWS the Terraform module owns all three."""
    try:
        await client.create_bucket(Bucket=bucket)
        created = True
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise
        created = False
    policy = json.dumps(public_renditions_policy(bucket))
    await client.put_bucket_policy(Bucket=bucket, Policy=policy)
    if origins:
        await client.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_rules(origins))
    else:
        await client.delete_bucket_cors(Bucket=bucket)
    return created
