"""CHAT_SOCKET_ACCESS_LOG: by default every request and socket gets an INFO access line;
with `debug`, a socket that ends normally (closed, or dropped as in a reconnect storm)
is logged at DEBUG, while refused sockets, sockets closed for a fault and every other
request keep their INFO line. The lines go through the server's own access logger."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import pytest
from aiohttp import web

from chat.app import create_app
from chat.settings import Settings, SettingsError, load_settings
from chat.web.accesslog import RedactingAccessLogger
from chat.web.tcp_guard import GuardedRunner
from tests.helpers import NO_RATE_LIMITS, closed_with, next_frame, register

ACCESS = "aiohttp.access"


@contextlib.asynccontextmanager
async def served(tmp_path, level: str):
    """The app behind the production runner (its access logger, handlers not cancelled
    when a client drops), and a client session on it."""
    settings = Settings(data_dir=tmp_path / "data", socket_access_log=level, **NO_RATE_LIMITS)
    runner = GuardedRunner(create_app(settings), settings, access_log_class=RedactingAccessLogger)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as session:
            yield session
    finally:
        await runner.cleanup()


async def lines_for(caplog, route: str, count: int) -> list[logging.LogRecord]:
    """The access records of this route, once `count` of them were written (a socket's
    line comes when its handler ends, after the close)."""
    for _ in range(200):
        found = [r for r in caplog.records if getattr(r, "route", None) == route]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} access lines of {route} expected, got {len(found)}")


@pytest.mark.parametrize("level", ["info", "debug"])
async def test_socket_lines_follow_the_setting_and_refusals_stay_info(tmp_path, caplog, level):
    caplog.set_level(logging.DEBUG, logger=ACCESS)
    async with served(tmp_path, level) as client:
        await talk(client)
        sockets = await lines_for(caplog, "/ws/chat/{room}/", 3)
    quiet = logging.DEBUG if level == "debug" else logging.INFO
    assert sorted((r.user_id is None, r.levelno) for r in sockets) == [
        (False, quiet),  # closed
        (False, quiet),  # dropped
        (True, logging.INFO),  # refused
    ]
    (me,) = await lines_for(caplog, "/api/auth/me", 1)
    assert me.levelno == logging.INFO and me.status == 401
    (signup,) = await lines_for(caplog, "/api/auth/register", 1)
    assert signup.levelno == logging.INFO and signup.status == 201


async def talk(client) -> None:
    alice = await register(client, "alice")
    closed = await client.ws_connect(f"/ws/chat/global/?token={alice.token}")
    await next_frame(closed, "connection_established")
    await closed.close()  # a normal close (1000)
    dropped = await client.ws_connect(f"/ws/chat/global/?token={alice.token}")
    await next_frame(dropped, "connection_established")
    dropped._response.connection.transport.abort()  # no close frame: a network blip
    refused = await client.ws_connect("/ws/chat/global/?token=not-a-token")
    await closed_with(refused, 4001)
    assert (await client.get("/api/auth/me")).status == 401


async def test_a_socket_closed_for_a_ban_keeps_its_info_line(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger=ACCESS)
    async with served(tmp_path, "debug") as client:
        bob = await ban_on_socket(client)
        (line,) = await lines_for(caplog, "/ws/chat/{room}/", 1)
    assert line.levelno == logging.INFO and line.user_id == bob.id


async def ban_on_socket(client):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    resp = await client.post("/api/chat/rooms/", json={"name": "den"}, headers=alice.headers)
    room = await resp.json()
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}")
    await next_frame(ws, "connection_established")
    url = f"/api/chat/rooms/{room['id']}/members/{bob.id}/"
    assert (await client.patch(url, json={"is_banned": True}, headers=alice.headers)).status == 200
    await closed_with(ws, 4003)
    return bob


def test_socket_access_log_is_info_or_debug():
    assert load_settings(env={}).socket_access_log == "info"
    assert load_settings(env={"CHAT_SOCKET_ACCESS_LOG": "DEBUG"}).socket_access_log == "debug"
    with pytest.raises(SettingsError, match="CHAT_SOCKET_ACCESS_LOG"):
        load_settings(env={"CHAT_SOCKET_ACCESS_LOG": "off"})
