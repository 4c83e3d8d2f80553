"""Test helpers that check a whole contract: frames, error shapes, users."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from dataclasses import dataclass

from aiohttp import WSMsgType

# Tests set up rooms with more messages per second than any person sends: the shared
# fixtures turn the per-user rate limits off; tests of the limits set them explicitly.
NO_RATE_LIMITS = {
    f"rate_{action}": (0.0, 1)
    for action in ("messages", "typing", "reactions", "uploads", "writes")
}
# Loopback test servers play bots and web pages; the outbound door refuses loopback
# unless the deployment names it, as tests do here (tests/test_outbound.py proves it).
LOOPBACK_ALLOWED = {"outbound_allow": (ipaddress.ip_network("127.0.0.1/32"),)}
RATES_OFF_ENV = {
    f"CHAT_RATE_{action.upper()}": "0"
    for action in ("messages", "typing", "reactions", "uploads", "writes")
}
ERROR_KEY = {
    "v1": "detail",
    "simple": "detail",
    "identity": "detail",
    "channels": "error",
    "native": "error",
}


@dataclass
class Person:
    id: int
    username: str
    token: str
    refresh_token: str
    is_admin: bool

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


async def register(client, username: str, password: str = "correct horse", **extra) -> Person:
    resp = await client.post(
        "/api/auth/register", json={"username": username, "password": password, **extra}
    )
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    return Person(
        body["user"]["id"],
        body["user"]["username"],
        body["access_token"],
        body["refresh_token"],
        body["user"]["is_admin"],
    )


async def assert_error(resp, status: int, dialect: str) -> str:
    """The response is an error of this status in the dialect's shape; its text."""
    body = await resp.json()
    assert resp.status == status, (resp.status, body)
    key = ERROR_KEY[dialect]
    assert set(body) == {key}, body
    assert isinstance(body[key], str) and body[key], body
    return body[key]


async def next_frame(ws, type_: str | None = None, timeout: float = 5.0) -> dict:
    """The next JSON frame (of type_, skipping others); fails after timeout."""

    async def read():
        while True:
            msg = await ws.receive()
            if msg.type != WSMsgType.TEXT:
                raise AssertionError(f"socket closed or non-text frame: {msg}")
            frame = json.loads(msg.data)
            if type_ is None or frame.get("type") == type_:
                return frame

    return await asyncio.wait_for(read(), timeout)


async def no_frame(ws, type_: str | None = None, wait: float = 0.3) -> None:
    """Nothing (of type_) arrives within wait seconds."""
    try:
        frame = await next_frame(ws, type_, timeout=wait)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected frame {frame}")


async def closed_with(ws, code: int, timeout: float = 3.0) -> None:
    async def read():
        while True:
            msg = await ws.receive()
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
                return

    await asyncio.wait_for(read(), timeout)
    assert ws.close_code == code, ws.close_code


async def make_room(client, owner: Person, **fields) -> dict:
    """A room created through the channels endpoint (name "team" unless given)."""
    resp = await client.post(
        "/api/chat/rooms/", json={"name": "team", **fields}, headers=owner.headers
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def post_message(client, person: Person, room: dict, content: str) -> dict:
    """A message stored through the channels endpoint; its serialization."""
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": content}, headers=person.headers
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def connect(client, person: Person, room: dict, dialect: str = "channels"):
    """A socket already registered in the room (a v1 socket must be the person's first
    there: it hears its own user_online)."""
    if dialect == "v1":
        ws = await client.ws_connect(f"/api/v1/chatroom/ws/{room['id']}/{person.token}")
        while (await next_frame(ws, "user_online"))["user_id"] != person.id:
            pass
        return ws
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={person.token}")
    await next_frame(ws, "connection_established")
    return ws


def database_before(path, version: int):
    """A SQLite database (an open connection, autocommit) migrated up to, not including,
    migration `version`: an older data directory for an upgrade test to fill."""
    import sqlite3

    from chat.db import migrate

    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in migrate.available_migrations():
        if number >= version:
            break
        conn.executescript(f"BEGIN; {script.read_text()} PRAGMA user_version = {number}; COMMIT;")
    return conn
