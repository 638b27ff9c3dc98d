"""Credentials for tenants in their own AWS accounts: STS AssumeRole, refreshed early.

botocore's refreshable credentials call `refresh` again before the expiry (advisory
15 minutes, mandatory 10 minutes before), so an assumed role is fetched once and then
renewed in the background of normal calls, never per request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aioboto3
from aiobotocore.credentials import AioCredentialResolver, AioRefreshableCredentials
from aiobotocore.session import AioSession
from botocore.credentials import CredentialProvider

from graph.store.parser import register_item_parser

#: Returns botocore's credential metadata: access_key, secret_key, token, expiry_time.
CredentialSource = Callable[[], Awaitable[dict[str, str]]]

ASSUME_ROLE_SECONDS = 3600


class _AssumedRole(CredentialProvider):  # type: ignore[misc]
    """The session's only credential provider: the refreshable assumed-role credentials
    (registered through botocore's public component API, not its private attribute)."""

    METHOD = "sts-assume-role"

    def __init__(self, credentials: AioRefreshableCredentials) -> None:
        super().__init__()
        self.credentials = credentials

    async def load(self) -> AioRefreshableCredentials:
        return self.credentials


def sts_assume_role(
    base: aioboto3.Session, role_arn: str, session_name: str, region: str
) -> CredentialSource:
    """A credential source that assumes `role_arn` with the base session's identity."""

    async def fetch() -> dict[str, str]:
        async with base.client("sts", region_name=region) as sts:
            response = await sts.assume_role(
                RoleArn=role_arn,
                RoleSessionName=session_name,
                DurationSeconds=ASSUME_ROLE_SECONDS,
            )
        creds = response["Credentials"]
        expiry: datetime = creds["Expiration"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiry.isoformat(),
        }

    return fetch


async def assumed_role_session(source: CredentialSource) -> tuple[aioboto3.Session, Any]:
    """An aioboto3 session whose credentials come from `source`, refreshed before expiry.

    Returns the session and the credentials object (tests inspect its refreshes).
    """
    credentials = AioRefreshableCredentials.create_from_metadata(
        metadata=await source(), refresh_using=source, method="sts-assume-role"
    )
    botocore_session = register_item_parser(AioSession())
    botocore_session.register_component(
        "credential_provider", AioCredentialResolver([_AssumedRole(credentials)])
    )
    return aioboto3.Session(botocore_session=botocore_session), credentials


async def assume_role_session(role_arn: str, session_name: str, region: str) -> aioboto3.Session:
    """A session acting as `role_arn` in a tenant's account (the gateway's own identity
    assumes it; the role's trust policy names the gateway's role)."""
    source = sts_assume_role(aioboto3.Session(), role_arn, session_name, region)
    session, _ = await assumed_role_session(source)
    return session
