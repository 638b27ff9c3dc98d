"""Assumed-role credentials are fetched once and refreshed only near expiry; a tenant
account's client (an assumed-role session) parses item reads as the gateway's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph.settings import Settings
from graph.store import ItemReadParser, assumed_role_session, open_dynamodb


async def _local_source() -> dict[str, str]:
    expiry = datetime.now(UTC) + timedelta(hours=1)
    return {
        "access_key": "local",
        "secret_key": "local",
        "token": "t",
        "expiry_time": expiry.isoformat(),
    }


async def test_credentials_are_cached_until_close_to_expiry() -> None:
    fetched: list[datetime] = []
    lifetime = [timedelta(hours=1)]

    async def source() -> dict[str, str]:
        expiry = datetime.now(UTC) + lifetime[0]
        fetched.append(expiry)
        return {
            "access_key": f"AKIA{len(fetched)}",
            "secret_key": "secret",
            "token": "token",
            "expiry_time": expiry.isoformat(),
        }

    _, creds = await assumed_role_session(source)
    for _ in range(5):
        frozen = await creds.get_frozen_credentials()
    assert frozen.access_key == "AKIA1"
    assert len(fetched) == 1  # an hour left: no refresh
    lifetime[0] = timedelta(minutes=5)
    creds._expiry_time = datetime.now(UTC) + timedelta(minutes=5)  # inside the refresh window
    frozen = await creds.get_frozen_credentials()
    assert len(fetched) == 2
    assert frozen.access_key == "AKIA2"


async def test_a_tenant_account_client_parses_item_reads_like_the_gateways(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    parse = ItemReadParser._handle_json_body

    def spy(self: ItemReadParser, raw_body: bytes, shape: Any) -> Any:
        parsed.append(shape.name)
        return parse(self, raw_body, shape)

    monkeypatch.setattr(ItemReadParser, "_handle_json_body", spy)
    session, _ = await assumed_role_session(_local_source)
    async with open_dynamodb(settings, session=session) as client:
        await client.list_tables(Limit=1)
    assert parsed == ["ListTablesOutput"]  # botocore's path for it, through our parser
