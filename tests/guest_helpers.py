"""Making guests in tests through the real endpoints (docs/guests.md)."""

from __future__ import annotations

from tests.helpers import Person

PASSWORD = "guest password"


async def log_in(client, username: str, password: str = PASSWORD) -> Person:
    resp = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    user = body["user"]
    return Person(user["id"], user["username"], body["access_token"], body["refresh_token"], False)


async def make_guest(client, inviter: Person, username: str, rooms=(), **extra) -> Person:
    """A guest account added by inviter to rooms (ids), signed in."""
    resp = await client.post(
        "/api/chat/guests/",
        json={"username": username, "password": PASSWORD, "rooms": list(rooms), **extra},
        headers=inviter.headers,
    )
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["is_guest"] is True
    return await log_in(client, username)


async def make_link(client, inviter: Person, rooms=(), **extra) -> str:
    """A new invitation link's secret."""
    resp = await client.post(
        "/api/chat/guest-links/", json={"rooms": list(rooms), **extra}, headers=inviter.headers
    )
    assert resp.status == 201, await resp.text()
    return (await resp.json())["url"].removeprefix("/#guest=")


async def sign_up(client, secret: str, username: str):
    return await client.post(
        "/api/auth/guest",
        json={"invitation": secret, "username": username, "password": PASSWORD},
    )
