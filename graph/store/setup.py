"""What a developer meets first when DynamoDB cannot be reached: one line that says what
is missing and how to fix it (the CLI prints it instead of a traceback)."""

from __future__ import annotations

import os


def setup_problem(exc: BaseException) -> str | None:
    """One line for the AWS set-up problems a developer meets first, or None."""
    from botocore.exceptions import (
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    endpoint = os.environ.get("GRAPH_DYNAMODB_ENDPOINT")
    if isinstance(exc, EndpointConnectionError):
        return (
            f"cannot reach DynamoDB at {exc.kwargs.get('endpoint_url', endpoint)}. Is `make dev` "
            "running? It prints the `export GRAPH_DYNAMODB_ENDPOINT=...` line to use; unset "
            "GRAPH_DYNAMODB_ENDPOINT to use AWS."
        )
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials and no GRAPH_DYNAMODB_ENDPOINT. For the local stack run "
            "`make dev` and `export GRAPH_DYNAMODB_ENDPOINT=http://127.0.0.1:8765`; for AWS "
            "set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and GRAPH_REGION."
        )
    if isinstance(exc, NoRegionError):
        return "no AWS region: set GRAPH_REGION (or AWS_REGION), e.g. us-east-1."
    return None
