"""Logs: a request id on every response and log line; CHAT_LOG_FORMAT=json writes one JSON
object per line with time, level, request id, route, status, duration and user id, and
never a token."""

from __future__ import annotations

import json
import re

import aiohttp
import pytest

from chat.app import create_app
from chat.settings import Settings, SettingsError, load_settings
from tests.helpers import register
from tests.serverproc import ServerProcess

HEX_ID = re.compile(r"[0-9a-f]{32}")


async def test_every_response_carries_a_fresh_request_id_and_ignores_a_client_s(client, alice):
    first = await client.get("/api/auth/me", headers=alice.headers)
    second = await client.get(
        "/api/auth/me", headers={**alice.headers, "X-Request-Id": "forged-id-123"}
    )
    missing = await client.get("/api/chat/no-such-thing")
    ids = [r.headers["X-Request-Id"] for r in (first, second, missing)]
    assert all(HEX_ID.fullmatch(i) for i in ids) and len(set(ids)) == 3


async def test_a_trusted_proxy_s_sane_request_id_is_kept(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", trusted_proxies=("127.0.0.1",))
    client = await aiohttp_client(create_app(settings))
    kept = await client.get("/healthz", headers={"X-Request-Id": "nginx-3f2a9c01"})
    assert kept.headers["X-Request-Id"] == "nginx-3f2a9c01"
    for insane in ("short", "x" * 65, "has space in it", "new\\nline-123456"):
        resp = await client.get("/healthz", headers={"X-Request-Id": insane})
        assert HEX_ID.fullmatch(resp.headers["X-Request-Id"]), insane


async def test_a_socket_handshake_echoes_its_request_id(client, alice):
    ws = await client.ws_connect(f"/ws/chat/global/?token={alice.token}")
    assert HEX_ID.fullmatch(ws._response.headers["X-Request-Id"])
    await ws.close()


def test_log_format_is_text_or_json():
    assert load_settings(env={}).log_format == "text"
    assert load_settings(env={"CHAT_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="CHAT_LOG_FORMAT"):
        load_settings(env={"CHAT_LOG_FORMAT": "xml"})


@pytest.mark.slow
async def test_json_logs_are_one_object_per_line_with_request_fields_and_no_token(tmp_path):
    server = ServerProcess(tmp_path / "data", CHAT_LOG_FORMAT="json").start()
    try:
        async with aiohttp.ClientSession(server.base) as session:
            alice = await register(session, "alice")
            async with session.get("/api/auth/me", headers=alice.headers) as resp:
                me_id = resp.headers["X-Request-Id"]
            ws = await session.ws_connect(f"/api/v1/chatroom/ws/1/{alice.token}")
            socket_id = ws._response.headers["X-Request-Id"]
            await ws.close()
            async with session.get(f"/api/chat/rooms/?token={alice.token}") as resp:
                assert resp.status in (200, 401)
    finally:
        server.stop()
    lines = [line for line in server.output().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is a JSON object
    assert any("Ctrl+C to stop" in entry["message"] for entry in entries)
    by_id = {entry.get("request_id"): entry for entry in entries if "route" in entry}
    me = by_id[me_id]
    assert me["route"] == "/api/auth/me" and me["status"] == 200 and me["method"] == "GET"
    assert me["user_id"] == alice.id and me["level"] == "info" and me["time"].endswith("Z")
    assert isinstance(me["duration_ms"], float)
    sock = by_id[socket_id]
    assert sock["route"] == "/api/v1/chatroom/ws/{room}/{token}" and sock["user_id"] == alice.id
    assert alice.token not in server.output()
    assert alice.token.split(".")[2] not in server.output()
