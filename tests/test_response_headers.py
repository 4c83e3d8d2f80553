"""No Server header names versions; every 429 carries Retry-After."""

from __future__ import annotations

import pytest
from aiohttp import web

from chat.web.headers import set_common_headers


@pytest.mark.parametrize(
    "path", ["/healthz", "/", "/static/app.css", "/api/nowhere", "/api/auth/me", "/nowhere"]
)
async def test_no_response_names_the_server_software(client, path):
    resp = await client.get(path)
    assert resp.headers["Server"] == "Teahouse"


async def test_a_socket_handshake_names_no_versions(client, alice):
    ws = await client.ws_connect(f"/ws/chat/global/?token={alice.token}")
    assert ws._response.headers["Server"] == "Teahouse"
    await ws.close()


async def test_a_429_from_anywhere_gets_a_retry_after(client):
    response = web.Response(status=429)
    await set_common_headers(None, response)
    assert response.headers["Retry-After"] == "1"
    kept = web.Response(status=429, headers={"Retry-After": "30"})
    await set_common_headers(None, kept)
    assert kept.headers["Retry-After"] == "30"


async def test_a_login_throttle_429_carries_its_wait(client, alice):
    for _ in range(10):
        resp = await client.post(
            "/api/auth/login", json={"username": "alice", "password": "wrong!!!"}
        )
        if resp.status == 429:
            break
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) > 1
