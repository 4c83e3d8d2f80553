"""CORS: only the origins in CHAT_CORS_ORIGINS may call the API or open sockets."""

import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import register

GOOD = "http://good.example"
EVIL = "http://evil.example"


@pytest.fixture
async def cors_client(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cors_origins=(GOOD,))
    return await aiohttp_client(create_app(settings))


async def test_listed_origin_passes_preflight_and_reads_the_api(cors_client):
    person = await register(cors_client, "ann")
    preflight = await cors_client.options(
        "/api/chat/rooms/",
        headers={
            "Origin": GOOD,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == GOOD
    resp = await cors_client.get("/api/chat/rooms/", headers={"Origin": GOOD, **person.headers})
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == GOOD


async def test_unlisted_origin_gets_no_cors_grant(cors_client):
    person = await register(cors_client, "ann")
    resp = await cors_client.get("/api/chat/rooms/", headers={"Origin": EVIL, **person.headers})
    assert "Access-Control-Allow-Origin" not in resp.headers


async def test_no_origins_configured_means_no_cors_headers(client, alice):
    resp = await client.get("/api/chat/rooms/", headers={"Origin": GOOD, **alice.headers})
    assert resp.status == 200
    assert "Access-Control-Allow-Origin" not in resp.headers


async def test_socket_from_listed_origin_opens_and_from_unlisted_is_refused(cors_client):
    person = await register(cors_client, "ann")
    ws = await cors_client.ws_connect(
        f"/ws/chat/global/?token={person.token}", headers={"Origin": GOOD}
    )
    await ws.close()
    resp = await cors_client.get(
        f"/ws/chat/global/?token={person.token}",
        headers={
            "Origin": EVIL,
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    assert resp.status == 403
