"""The cursor secret of a Lambda function, behind an SSM SecureString parameter or a
Secrets Manager secret ARN (read once per execution environment)."""

from __future__ import annotations

import re
from typing import Any

#: `arn:<partition>:ssm:<region>:<account>:parameter/<name>` or
#: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`.
SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:(?P<service>ssm|secretsmanager):(?P<region>[a-z0-9-]+):\d{12}:"
    r"(parameter/|secret:).+$"
)


def fetch_cursor_secret(arn: str, *, client: Any | None = None) -> str:
    """The cursor secret behind an SSM SecureString parameter or Secrets Manager secret ARN,
    fetched with Powertools' parameters utility (the function's role may read exactly that
    ARN). `client`: a boto3 client to use instead (tests); by default one for the ARN's
    region, so a secret kept in another region than the function's still works."""
    match = SECRET_ARN.match(arn)
    if match is None:
        raise ValueError(
            "GRAPH_CURSOR_SECRET_ARN must be an SSM parameter ARN (arn:aws:ssm:...:parameter/"
            "...) or a Secrets Manager secret ARN (arn:aws:secretsmanager:...:secret:...)"
        )
    from aws_lambda_powertools.utilities import parameters

    service, region = match["service"], match["region"]
    session = None
    if client is None:
        import boto3  # in the zip as aioboto3's dependency; Powertools' providers use it

        session = boto3.session.Session(region_name=region)
    value: Any
    if service == "ssm":
        ssm = parameters.SSMProvider(boto3_session=session, boto3_client=client)
        value = ssm.get(arn, decrypt=True, force_fetch=True)
    else:
        sm = parameters.SecretsProvider(boto3_session=session, boto3_client=client)
        value = sm.get(arn, force_fetch=True)
    if isinstance(value, bytes):
        value = value.decode()
    if not isinstance(value, str) or not value:
        raise ValueError(f"the cursor secret at {arn} is empty or not a string")
    return value
