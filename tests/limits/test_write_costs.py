"""A write's estimate holds its own DynamoDB calls and its user errors (issue 30): the
calls its resolver makes (graph/limits/declared.py WriteCalls) are in the estimate
however little the payload selects, and `userErrors` returns at most MAX_USER_ERRORS."""

from __future__ import annotations

from typing import Any

from graph.bounds import MAX_USER_ERRORS
from graph.settings import Settings
from tests.conftest import CallRecorder, open_photos_gateway
from tests.limits.test_cost_bounds import ROOMY
from tests.schema.test_mutations import new_listing

CREATE_BARE = """mutation($input: CreateListingInput!) {
  createListing(input: $input) { __typename }
}"""
CREATE_ERRORS = """mutation($input: CreateListingInput!) {
  createListing(input: $input) { userErrors { field message code } }
}"""


async def test_a_create_attaching_photos_has_its_calls_in_its_estimate(
    ddb: Any, settings: Settings, s3_endpoint: str, calls: CallRecorder
) -> None:
    """Three photos that were never uploaded: the seller's check, an idempotent retry's
    read, three claims and the discard's read, with a payload of one field."""
    photos = [{"uploadId": f"upl-{n:024d}"} for n in range(3)]
    listing = {**new_listing(photos=photos)}
    del listing["images"]
    async with open_photos_gateway(ddb, settings, s3_endpoint, limits=ROOMY) as (gw, _, _):
        calls.reset()
        response = await gw.post(
            CREATE_BARE,
            {"input": listing},
            scope="write",
            headers={"Idempotency-Key": "write-costs-0001"},
        )
        body = response.json()
        made = calls.count()
    cost = body["extensions"]["cost"]
    assert made >= 5, (made, body)  # more than the two fields it selects
    assert cost["dynamodbCalls"] == made
    assert cost["requested"] >= cost["actual"] >= made, body


async def test_user_errors_stop_at_their_bound_and_stay_in_the_estimate(
    ddb: Any, settings: Settings, s3_endpoint: str, calls: CallRecorder
) -> None:
    """Thirty care lines with a control character each: thirty problems, and one more
    for the list's length; the payload returns the first MAX_USER_ERRORS."""
    listing = new_listing(
        price={"amount": "49.00", "currency": "EUR"},
        custom={"care": [f"wash {n}\u0007" for n in range(30)]},
    )
    gateway = open_photos_gateway(ddb, settings, s3_endpoint, ("threads",), limits=ROOMY)
    async with gateway as (gw, _, _):
        calls.reset()
        body = (
            await gw.post(CREATE_ERRORS, {"input": listing}, tenant="threads", scope="write")
        ).json()
    errors = body["data"]["createListing"]["userErrors"]
    assert len(errors) == MAX_USER_ERRORS, errors
    assert errors[0]["field"] == ["custom", "care"]  # the first found: the length
    assert errors[1]["field"] == ["custom", "care", "0"]
    cost = body["extensions"]["cost"]
    assert cost["requested"] >= cost["actual"] >= calls.count(), body
    assert cost["actual"] > 3 * MAX_USER_ERRORS  # each entry's three fields, settled
