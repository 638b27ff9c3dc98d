"""Assumed-role credentials are fetched once and refreshed only near expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graph.store import assumed_role_session


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
