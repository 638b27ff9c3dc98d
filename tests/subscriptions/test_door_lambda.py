"""The API Gateway WebSocket functions behind the same door as the local server: every
malformed `$default` body closes the connection (API Gateway has no close codes) and
raises nothing; a key removed from the registry is refused at once and its open
connections are closed by the next fan-out that finds them or the next frame they send,
whichever comes first (the revocation bound of docs/events.md)."""

from __future__ import annotations

import json
from typing import Any

from graph.registry.tenants import Registry, Tenant
from tests.conftest import Audit, Gateway, raw_key
from tests.events.test_contract import captured_records
from tests.schema.test_mutations import CREATE, STATUS, new_listing
from tests.subscriptions.test_api_gateway import UPDATED, Aws, aws, connected, sample, subscribed
from tests.subscriptions.test_door import MALFORMED

__all__ = ["aws"]  # the fixture, used by name below


def raw_message(connection_id: str, body: str) -> dict[str, Any]:
    return sample("apigw-websocket-message.json", connection_id, body=body)


async def test_every_malformed_body_closes_the_connection(aws: Aws) -> None:
    bodies = [frame for frame in MALFORMED if isinstance(frame, str)]
    for n, body in enumerate(bodies):
        connection_id = f"bad-{n}"
        await connected(aws, connection_id)
        assert await aws.api.handle(raw_message(connection_id, body)) == {"statusCode": 200}
        assert connection_id in aws.management.deleted, body[:60]
        assert await aws.connections.connection(connection_id) is None


async def test_a_removed_key_is_refused_and_its_connection_closed_by_the_fan_out(
    aws: Aws, gateway: Gateway, audit: Audit
) -> None:
    body = await gateway.gql(CREATE, {"input": new_listing(productId="prd-rev")}, scope="write")
    listing_id = body["data"]["createListing"]["listing"]["id"]
    await captured_records(audit)
    await connected(aws, "reader")
    await subscribed(aws, "reader", "one", UPDATED, id=listing_id)
    without_read_key(gateway.runtime)
    aws.management.posts.clear()

    await gateway.gql(STATUS, {"id": listing_id, "status": "RESERVED"}, scope="write")
    records = [r for r in await captured_records(audit) if "listingId" in r["dynamodb"]["Keys"]]
    assert await aws.fanout.handle({"Records": records}) == {"batchItemFailures": []}
    assert aws.management.to("reader") == []
    assert "reader" in aws.management.deleted
    assert await aws.connections.connection("reader") is None
    # A new connection_init with the removed key is closed, not acknowledged.
    response = await aws.api.handle(sample("apigw-websocket-connect.json", "again"))
    assert response["statusCode"] == 200
    init = {"type": "connection_init", "payload": {"apiKey": raw_key("kicks", "read")}}
    await aws.api.handle(raw_message("again", json.dumps(init)))
    assert "again" in aws.management.deleted


def without_read_key(runtime: Any) -> None:
    kicks = runtime.registry.tenants["kicks"]
    keys = tuple(k for k in kicks.config.keys if k.id != "kicks-test-read")
    config = kicks.config.model_copy(update={"keys": keys})
    runtime.registry = Registry([Tenant(config, kicks.tables)], runtime.registry.stage)


async def test_a_removed_keys_connection_closes_at_its_next_message(
    aws: Aws, gateway: Gateway
) -> None:
    """The revocation bound's other half (docs/events.md): a connection that receives no
    change is closed by the next frame it sends (graphql-ws keep-alive pings included),
    and one that sends none is closed by API Gateway's 10-minute idle timeout."""
    for connection_id in ("pinger", "completer", "subscriber", "writer"):
        await connected(aws, connection_id, scope="write" if connection_id == "writer" else "read")
    await subscribed(aws, "completer", "one", UPDATED, id="lst-0001")
    await aws.api.handle(raw_message("pinger", json.dumps({"type": "ping"})))
    assert aws.management.to("pinger")[-1] == {"type": "pong"}
    without_read_key(gateway.runtime)
    aws.management.posts.clear()

    frames = {
        "pinger": {"type": "ping"},
        "completer": {"type": "complete", "id": "one"},
        "subscriber": {"id": "s", "type": "subscribe", "payload": {"query": UPDATED}},
        "writer": {"type": "ping"},
    }
    for connection_id, frame in frames.items():
        await aws.api.handle(raw_message(connection_id, json.dumps(frame)))
    revoked = ["pinger", "completer", "subscriber"]
    assert sorted(aws.management.deleted) == sorted(revoked)
    for connection_id in revoked:
        assert aws.management.to(connection_id) == []
        assert await aws.connections.connection(connection_id) is None
        assert await aws.connections.subscriptions(connection_id) == []
    # The write key was not removed: its connection is answered as before.
    assert aws.management.to("writer") == [{"type": "pong"}]
