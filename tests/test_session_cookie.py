"""The web page's login cookie: set for same-origin sign-ins, HttpOnly and SameSite=Strict
(Secure behind https), authenticating token-less REST calls and sockets of this site
only; changes need this site's Origin; sign-out and password changes end it."""

from __future__ import annotations

import asyncio
import time

import pytest

from chat.app import create_app
from chat.keys import core_key
from chat.settings import Settings
from tests.helpers import assert_error, closed_with, next_frame, register

COOKIE = "teahouse_session"
PASSWORD = "correct horse"


def origin(client) -> str:
    return str(client.make_url("/")).rstrip("/")


async def sign_in(client, username: str = "alice", **headers):
    """A sign-in from a page of this site: the client's jar keeps the cookie."""
    resp = await client.post(
        "/api/auth/login",
        json={"username": username, "password": PASSWORD},
        headers={"Origin": origin(client), **headers},
    )
    assert resp.status == 200, await resp.text()
    return resp


async def page_socket(client, room="global", **headers):
    ws = await client.ws_connect(f"/ws/chat/{room}/", headers={"Origin": origin(client), **headers})
    await next_frame(ws, "connection_established")
    return ws


async def test_a_page_sign_in_sets_a_strict_http_only_cookie_and_an_api_one_does_not(client, alice):
    resp = await sign_in(client)
    morsel = resp.cookies[COOKIE]
    assert morsel.value and morsel["httponly"] and morsel["samesite"] == "Strict"
    assert morsel["path"] == "/" and not morsel["secure"]
    assert int(morsel["max-age"]) == 30 * 24 * 3600
    plain = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert COOKIE not in plain.cookies


async def test_the_cookie_is_secure_when_a_trusted_proxy_says_https(aiohttp_client, tmp_path):
    for proxies, secure in ((("127.0.0.1",), True), ((), False)):
        settings = Settings(data_dir=tmp_path / f"d{secure}", trusted_proxies=proxies)
        client = await aiohttp_client(create_app(settings))
        await register(client, "alice")
        resp = await sign_in(client, **{"X-Forwarded-Proto": "https"})
        assert bool(resp.cookies[COOKIE]["secure"]) is secure


async def test_the_cookie_authenticates_reads_sockets_and_same_origin_writes(client, alice):
    await sign_in(client)
    me = await client.get("/api/auth/me")
    assert (await me.json())["username"] == "alice"
    ws = await page_socket(client)
    resp = await client.post(
        "/api/chat/rooms/global/messages/",
        json={"content": "hi"},
        headers={"Origin": origin(client)},
    )
    assert resp.status == 201
    assert (await next_frame(ws, "chat_message"))["message"]["content"] == "hi"
    referer = await client.post(
        "/api/chat/rooms/global/messages/",
        json={"content": "again"},
        headers={"Referer": origin(client) + "/"},
    )
    assert referer.status == 201
    await ws.close()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ],
)
async def test_a_cookie_only_write_from_elsewhere_is_403_and_changes_nothing(
    client, alice, headers
):
    await sign_in(client)
    resp = await client.post(
        "/api/chat/rooms/global/messages/", json={"content": "forged"}, headers=headers
    )
    await assert_error(resp, 403, "channels")
    resp = await client.get("/api/chat/rooms/global/messages/")
    assert "forged" not in await resp.text()


async def test_a_cookie_socket_from_another_origin_is_refused(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cors_origins=("https://app.example",))
    client = await aiohttp_client(create_app(settings))
    await register(client, "alice")
    await sign_in(client)
    ws = await client.ws_connect("/ws/chat/global/", headers={"Origin": "https://app.example"})
    await closed_with(ws, 4003)
    ws = await client.ws_connect("/ws/chat/global/")  # no Origin: no proof either
    await closed_with(ws, 4003)


async def test_signing_out_clears_the_cookie_and_closes_the_pages_sockets(client, alice):
    await sign_in(client)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE].value
    ws = await page_socket(client)
    resp = await client.post("/api/auth/logout", headers={"Origin": origin(client)})
    assert resp.status == 204
    assert resp.cookies[COOKIE].value == "" and resp.cookies[COOKIE]["max-age"] == "0"
    await closed_with(ws, 4001)
    client.session.cookie_jar.clear()
    replay = await client.get("/api/auth/me", headers={"Cookie": f"{COOKIE}={cookie}"})
    await assert_error(replay, 401, "identity")


async def test_a_cross_site_sign_out_is_refused(client, alice):
    await sign_in(client)
    resp = await client.post("/api/auth/logout", headers={"Origin": "https://evil.example"})
    assert resp.status == 403
    assert (await client.get("/api/auth/me")).status == 200


async def test_a_password_change_from_the_page_keeps_the_page_signed_in(client, alice):
    await sign_in(client)
    old = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE].value
    ws = await page_socket(client)
    resp = await client.patch(
        "/api/auth/me",
        json={"password": "new password", "old_password": PASSWORD},
        headers={"Origin": origin(client)},
    )
    assert resp.status == 200
    assert resp.cookies[COOKIE].value not in ("", old)
    await closed_with(ws, 4001)  # every earlier login ended, this page's too ...
    assert (await client.get("/api/auth/me")).status == 200  # ... which got a new one
    client.session.cookie_jar.clear()
    await assert_error(
        await client.get("/api/auth/me", headers={"Cookie": f"{COOKIE}={old}"}), 401, "identity"
    )


async def test_a_cookie_refresh_slides_the_login_and_keeps_its_socket(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", refresh_token_ttl=4)
    client = await aiohttp_client(create_app(settings))
    await register(client, "alice")
    await sign_in(client)
    db = client.server.app[core_key].db
    ws = await page_socket(client)
    first = (await db.fetch_one("SELECT max(expires_at) AS e FROM sessions"))["e"]
    await asyncio.sleep(max(0.0, first - 1.5 - time.time()))
    resp = await client.post("/api/auth/refresh", json={}, headers={"Origin": origin(client)})
    assert resp.status == 200 and (await resp.json())["access_token"]
    assert (await db.fetch_one("SELECT max(expires_at) AS e FROM sessions"))["e"] > first + 1
    await asyncio.sleep(max(0.0, first + 0.3 - time.time()))  # past the first expiry
    await ws.send_json({"type": "chat_message", "content": "still here"})
    await next_frame(ws, "chat_message")
    await closed_with(ws, 4001, timeout=5)  # the slid expiry ends it


async def test_seed_style_bearer_null_falls_back_to_the_cookie(client, alice):
    """Seed 004's browser code sends `Bearer ${localStorage.getItem('access_token')}`."""
    for header in ("Bearer null", "Bearer undefined"):
        await assert_error(
            await client.get("/api/auth/me", headers={"Authorization": header}), 401, "identity"
        )
    await sign_in(client)
    for header in ("Bearer null", "Bearer undefined"):
        resp = await client.get("/api/auth/me", headers={"Authorization": header})
        assert (await resp.json())["username"] == "alice"


@pytest.mark.parametrize(
    "path",
    [
        "/ws/chat/global/?token=null",
        "/ws/chat/global/?token=undefined",
        "/ws/chat/global/?token=",
        "/ws/user/?token=null",
        "/api/v1/chatroom/ws/global/null",
    ],
)
async def test_seed_style_token_null_on_a_socket_falls_back_to_the_cookie(client, alice, path):
    """Seed 001's browser code opens `?token=${localStorage.getItem('token')}`."""
    page = {"Origin": origin(client)}
    await closed_with(await client.ws_connect(path, headers=page), 4001)
    await sign_in(client)
    ws = await client.ws_connect(path, headers=page)
    if "/api/v1/" in path:  # v1 greets with its own user_online
        assert (await next_frame(ws, "user_online"))["username"] == "alice"
    else:
        assert (await next_frame(ws, "connection_established"))["user"]["username"] == "alice"
    await ws.close()


async def test_tabs_refreshing_the_cookie_at_once_keep_the_login(client, alice):
    await sign_in(client)
    answers = await asyncio.gather(
        *(
            client.post("/api/auth/refresh", json={}, headers={"Origin": origin(client)})
            for _ in range(5)
        )
    )
    assert [resp.status for resp in answers] == [200] * 5
    assert (await client.get("/api/auth/me")).status == 200
