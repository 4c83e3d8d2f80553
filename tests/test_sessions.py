"""Sessions end with their credentials: expiry (unless renewed on the socket), sign-out,
password change, refresh-token rotation and replay; access tokens die at once."""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import Person, assert_error, closed_with, connect, next_frame, no_frame, register
from tests.pgcluster import both_engines

PASSWORD = "correct horse"


async def login(client, username: str, password: str = PASSWORD) -> Person:
    resp = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    return Person(
        body["user"]["id"],
        username,
        body["access_token"],
        body["refresh_token"],
        body["user"]["is_admin"],
    )


def expiry(token: str) -> float:
    return jwt.decode(token, options={"verify_signature": False})["exp"]


async def refresh(client, refresh_token: str):
    return await client.post("/api/auth/refresh", json={"refresh_token": refresh_token})


async def still_open(ws, text: str = "still here") -> None:
    """The socket still carries chat both ways."""
    await ws.send_json({"type": "chat_message", "content": text})
    while (await next_frame(ws, "chat_message"))["message"]["content"] != text:
        pass


@pytest.fixture
async def short_client(aiohttp_client, tmp_path):
    """Access tokens that live 4 seconds."""
    settings = Settings(data_dir=tmp_path / "data", heartbeat_seconds=5.0, access_token_ttl=4)
    return await aiohttp_client(create_app(settings))


async def test_a_socket_closes_with_4001_when_its_token_expires(short_client):
    alice = await register(short_client, "alice")
    ws = await connect(short_client, alice, {"id": "global"})
    await closed_with(ws, 4001, timeout=6)


@pytest.mark.parametrize("dialect", ["channels", "v1", "user"])
async def test_a_socket_renewed_with_an_auth_frame_outlives_its_first_token(short_client, dialect):
    alice = await register(short_client, "alice")
    if dialect == "user":  # the user-level socket: every room on one socket
        await short_client.post("/api/chat/rooms/1/join/", headers=alice.headers)
        ws = await short_client.ws_connect(f"/ws/user/?token={alice.token}")
        await next_frame(ws, "connection_established")
    else:
        ws = await connect(short_client, alice, {"id": 1}, dialect)
    expires = expiry(alice.token)
    await asyncio.sleep(max(0.0, expires - 2 - time.time()))
    fresh = await (await refresh(short_client, alice.refresh_token)).json()
    assert expiry(fresh["access_token"]) >= expires + 2
    await ws.send_json({"type": "auth", "token": fresh["access_token"]})
    assert (await next_frame(ws, "auth_ok"))["expires_at"].endswith("Z")
    await asyncio.sleep(max(0.0, expires + 0.3 - time.time()))
    # The first token has expired by now; the socket lives on.
    frame = (
        {"type": "message", "content": "renewed"}
        if dialect == "v1"
        else {"type": "chat_message", "content": "renewed", "room_id": 1}
    )
    await ws.send_json(frame)
    await next_frame(ws, "message" if dialect == "v1" else "chat_message")
    await closed_with(ws, 4001, timeout=5)  # ... until the renewed token expires too


async def test_a_bad_or_foreign_token_in_an_auth_frame_is_an_error_and_keeps_the_socket(
    client, alice, bob
):
    ws = await connect(client, alice, {"id": "global"})
    for token in ("garbage", None, bob.token):
        await ws.send_json({"type": "auth", "token": token})
        assert (await next_frame(ws, "error"))["message"]
    await still_open(ws)
    await ws.close()


async def test_a_password_change_kills_access_tokens_and_sockets_at_once(client, alice):
    other = await login(client, "alice")
    ws = await connect(client, other, {"id": "global"})
    resp = await client.patch(
        "/api/auth/me",
        headers=alice.headers,
        json={"password": "new password", "old_password": PASSWORD},
    )
    assert resp.status == 200
    await closed_with(ws, 4001)
    for person in (alice, other):
        await assert_error(
            await client.get("/api/auth/me", headers=person.headers), 401, "identity"
        )
        await assert_error(await refresh(client, person.refresh_token), 401, "identity")
    fresh = await login(client, "alice", "new password")
    assert (await client.get("/api/auth/me", headers=fresh.headers)).status == 200


async def test_signing_out_ends_that_login_only(client, alice):
    phone = await login(client, "alice")
    laptop_ws = await connect(client, alice, {"id": "global"})
    phone_ws = await connect(client, phone, {"id": "global"})
    resp = await client.post("/api/auth/logout", headers=phone.headers)
    assert resp.status == 204
    await closed_with(phone_ws, 4001)
    await assert_error(await client.get("/api/auth/me", headers=phone.headers), 401, "identity")
    await assert_error(await refresh(client, phone.refresh_token), 401, "identity")
    # The other login of the same user is untouched.
    assert (await client.get("/api/auth/me", headers=alice.headers)).status == 200
    await still_open(laptop_ws)
    await laptop_ws.close()
    # Signing out twice, or with nothing, is harmless.
    assert (await client.post("/api/auth/logout", headers=phone.headers)).status == 204
    assert (await client.post("/api/auth/logout")).status == 204


@both_engines
async def test_refresh_tokens_rotate_and_a_replayed_one_ends_the_login(client, alice):
    first = await refresh(client, alice.refresh_token)
    assert first.status == 200
    second = await first.json()
    assert second["refresh_token"] != alice.refresh_token
    ws = await connect(
        client, Person(alice.id, "alice", second["access_token"], "", False), {"id": "global"}
    )
    # A copy of the used refresh token comes back: the whole login ends.
    await assert_error(await refresh(client, alice.refresh_token), 401, "identity")
    await closed_with(ws, 4001)
    await assert_error(await refresh(client, second["refresh_token"]), 401, "identity")
    await assert_error(
        await client.get(
            "/api/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"}
        ),
        401,
        "identity",
    )
    assert (await login(client, "alice")).token


async def test_two_refreshes_racing_with_one_token_leave_at_most_one_winner(client, alice):
    answers = await asyncio.gather(*(refresh(client, alice.refresh_token) for _ in range(4)))
    assert sorted(resp.status for resp in answers).count(200) <= 1


async def test_a_socket_without_credentials_problems_hears_no_auth_frames(client, alice):
    ws = await connect(client, alice, {"id": "global"})
    await no_frame(ws, "auth_ok")
    await ws.close()
