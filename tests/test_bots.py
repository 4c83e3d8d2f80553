"""Campfire-style bots: a site admin's bot posts with its key, uses the REST API with
its own memberships, and answers mentions and direct messages through its outgoing URL."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest
from aiohttp import web

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import (
    LOOPBACK_ALLOWED,
    NO_RATE_LIMITS,
    assert_error,
    connect,
    make_room,
    next_frame,
    no_frame,
    register,
)
from tests.pgcluster import both_engines


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    """The bots are loopback servers, which the outbound door dials only when named."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        heartbeat_seconds=5.0,
        **NO_RATE_LIMITS,
        **LOOPBACK_ALLOWED,
    )


async def make_bot(client, admin, username="deploy", **fields) -> dict:
    resp = await client.post(
        "/api/chat/bots/", json={"username": username, **fields}, headers=admin.headers
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def next_said(ws, wait: float = 5.0) -> dict:
    """The next chat_message that is not a join/leave notice."""
    while (frame := await next_frame(ws, "chat_message", timeout=wait))["message"][
        "message_type"
    ] == "system":
        pass
    return frame


@pytest.fixture
async def answering(aiohttp_server):
    """A small local HTTP server playing the bot: it records calls and answers per path."""
    calls: list[dict] = []

    async def json_answer(request):
        calls.append(await request.json())
        return web.json_response({"text": f"pong {calls[-1]['user_name']}"})

    async def plain_answer(request):
        calls.append(await request.json())
        return web.Response(text="hello from the bot")

    async def slow(request):
        calls.append(await request.json())
        await asyncio.sleep(3)
        return web.Response(text="too late")

    async def broken(request):
        calls.append(await request.json())
        return web.Response(status=500, text="boom")

    app = web.Application()
    app.router.add_post("/json", json_answer)
    app.router.add_post("/plain", plain_answer)
    app.router.add_post("/slow", slow)
    app.router.add_post("/broken", broken)
    server = await aiohttp_server(app)
    server.calls = calls
    return server


@both_engines
async def test_only_site_admins_create_bots_and_the_key_posts_as_the_bot(client, admin, alice):
    resp = await client.post("/api/chat/bots/", json={"username": "x"}, headers=alice.headers)
    await assert_error(resp, 403, "channels")
    bot = await make_bot(client, admin, display_name="Deploy Bot")
    assert bot["key"].startswith(f"{bot['id']}-") and bot["user"]["is_bot"] is True
    room = await make_room(client, alice)
    ws = await connect(client, alice, room)
    resp = await client.post(
        f"/rooms/{room['id']}/{bot['key']}/messages",
        data="deployed v2",
        headers={"Content-Type": "text/plain"},
    )
    assert resp.status == 201, await resp.text()
    message = await resp.json()
    assert resp.headers["Location"] == f"/api/chat/messages/{message['id']}/"
    frame = await next_said(ws)
    assert frame["message"]["content"] == "deployed v2"
    assert frame["message"]["sender"]["display_name"] == "Deploy Bot"
    listed = await (await client.get("/api/chat/bots/", headers=admin.headers)).json()
    assert [b["user"]["username"] for b in listed] == ["deploy"] and "key" not in listed[0]
    await ws.close()


async def test_a_wrong_key_posts_nothing(client, admin, alice):
    bot = await make_bot(client, admin)
    room = await make_room(client, alice)
    wrong = bot["key"][:-1] + ("A" if bot["key"][-1] != "A" else "B")
    resp = await client.post(f"/rooms/{room['id']}/{wrong}/messages", data="x")
    await assert_error(resp, 401, "v1")
    resp = await client.get("/api/chat/rooms/", headers={"Authorization": f"Bearer {wrong}"})
    await assert_error(resp, 401, "channels")


async def test_the_key_is_a_bearer_token_with_the_bots_own_memberships(client, admin, alice):
    bot = await make_bot(client, admin)
    headers = {"Authorization": f"Bearer {bot['key']}"}
    me = await (await client.get("/api/auth/me", headers=headers)).json()
    assert me["username"] == "deploy"
    private = await make_room(client, alice, name="secret", room_type="private")
    resp = await client.get(f"/api/chat/rooms/{private['id']}/messages/", headers=headers)
    await assert_error(resp, 403, "channels")
    public = await make_room(client, alice)
    resp = await client.post(
        f"/api/chat/rooms/{public['id']}/messages/", json={"content": "via REST"}, headers=headers
    )
    assert resp.status == 201
    ws = await client.ws_connect(f"/ws/chat/{public['id']}/?token={bot['key']}")
    assert (await next_frame(ws, "connection_established"))["user"]["username"] == "deploy"
    await ws.close()


async def test_attachment_is_uploaded_as_the_bot(client, admin, alice):
    bot = await make_bot(client, admin)
    room = await make_room(client, alice)
    form = aiohttp.FormData()
    form.add_field("attachment", b"build log\n", filename="build.txt", content_type="text/plain")
    resp = await client.post(f"/rooms/{room['id']}/{bot['key']}/messages", data=form)
    assert resp.status == 201, await resp.text()
    message = await resp.json()
    assert message["file_name"] == "build.txt" and message["sender"]["username"] == "deploy"
    assert (await client.get(message["file_url"])).status == 200


async def test_regenerating_or_deleting_ends_the_old_key(client, admin, alice):
    bot = await make_bot(client, admin)
    room = await make_room(client, alice)
    fresh = await (
        await client.post(f"/api/chat/bots/{bot['id']}/key/", headers=admin.headers)
    ).json()
    resp = await client.post(f"/rooms/{room['id']}/{bot['key']}/messages", data="old")
    assert resp.status == 401
    resp = await client.post(f"/rooms/{room['id']}/{fresh['key']}/messages", data="new")
    assert resp.status == 201
    assert (
        await client.delete(f"/api/chat/bots/{bot['id']}/", headers=admin.headers)
    ).status == 200
    resp = await client.post(f"/rooms/{room['id']}/{fresh['key']}/messages", data="gone")
    assert resp.status == 401


async def test_outgoing_url_must_be_http(client, admin):
    for url in (
        "file:///etc/passwd",
        "gopher://x/",
        "javascript:alert(1)",
        "http://",
        "http://[::1",
        42,
    ):
        resp = await client.post(
            "/api/chat/bots/", json={"username": "b", "outgoing_url": url}, headers=admin.headers
        )
        await assert_error(resp, 400, "channels")


async def test_a_mention_is_answered_through_the_outgoing_url(client, admin, alice, answering):
    bot = await make_bot(client, admin, outgoing_url=str(answering.make_url("/json")))
    room = await make_room(client, alice)
    ws = await connect(client, alice, room)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "@deploy status please"},
        headers=alice.headers,
    )
    sent = await resp.json()
    await next_said(ws)
    reply = await next_said(ws)
    assert reply["message"]["content"] == "pong alice"
    assert reply["message"]["sender"]["id"] == bot["id"]
    call = answering.calls[0]
    assert call["message"]["id"] == sent["id"]
    assert call["message"]["body"] == {
        "plain": "@deploy status please",
        "html": "@deploy status please",
    }
    assert call["user"]["username"] == "alice" and call["room"]["id"] == room["id"]
    assert call["text"] == "@deploy status please" and call["channel_name"] == room["slug"]
    # the bot's own reply does not call it again, and an unmentioned message does not
    await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "thanks"}, headers=alice.headers
    )
    await next_said(ws)
    await no_frame(ws, "chat_message", wait=0.5)
    assert len(answering.calls) == 1
    await ws.close()


async def test_a_direct_message_is_answered_in_plain_text(client, admin, alice, answering):
    await make_bot(client, admin, outgoing_url=str(answering.make_url("/plain")))
    direct = await (
        await client.post("/api/chat/direct/", json={"username": "deploy"}, headers=alice.headers)
    ).json()
    ws = await connect(client, alice, direct)
    await client.post(
        f"/api/chat/rooms/{direct['id']}/messages/", json={"content": "hi"}, headers=alice.headers
    )
    await next_said(ws)
    assert (await next_said(ws))["message"]["content"] == "hello from the bot"
    await ws.close()


@pytest.fixture
async def quick_client(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "quick", bot_timeout_seconds=0.5, **LOOPBACK_ALLOWED)
    return await aiohttp_client(create_app(settings))


@pytest.mark.parametrize("path", ["/slow", "/broken"])
async def test_timeout_or_error_posts_nothing_and_is_logged(quick_client, answering, caplog, path):
    client = quick_client
    admin = await register(client, "admin")
    await make_bot(client, admin, outgoing_url=str(answering.make_url(path)))
    room = await make_room(client, admin)
    ws = await connect(client, admin, room)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="chat.web.outgoing"):
        resp = await client.post(
            f"/api/chat/rooms/{room['id']}/messages/",
            json={"content": "@deploy hello"},
            headers=admin.headers,
        )
        assert resp.status == 201
        assert time.monotonic() - started < 0.4  # the sender never waits for the bot
        await next_said(ws)
        await no_frame(ws, "chat_message", wait=1.0)
    assert len(answering.calls) == 1
    assert any("nothing posted" in record.getMessage() for record in caplog.records)
    await ws.close()


async def test_a_full_call_queue_drops_calls_and_never_slows_the_sender(
    aiohttp_client, tmp_path, answering, caplog
):
    from chat.keys import bot_caller_key

    settings = Settings(
        data_dir=tmp_path / "full",
        bot_timeout_seconds=0.5,
        bot_queue_limit=1,
        bot_concurrency=1,
        **LOOPBACK_ALLOWED,
    )
    client = await aiohttp_client(create_app(settings))
    admin = await register(client, "admin")
    await make_bot(client, admin, outgoing_url=str(answering.make_url("/slow")))
    room = await make_room(client, admin)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="chat.web.outgoing"):
        for n in range(4):
            resp = await client.post(
                f"/api/chat/rooms/{room['id']}/messages/",
                json={"content": f"@deploy {n}"},
                headers=admin.headers,
            )
            assert resp.status == 201
    assert time.monotonic() - started < 1.0
    assert client.server.app[bot_caller_key].dropped >= 2  # one in flight, one queued
    assert any("queue full" in record.getMessage() for record in caplog.records)


async def test_a_bot_key_cannot_mint_credentials_that_outlive_it(client, admin):
    bot = await make_bot(client, admin)
    headers = {"Authorization": f"Bearer {bot['key']}"}
    resp = await client.post("/api/chat/tokens/", json={"name": "forever"}, headers=headers)
    await assert_error(resp, 403, "channels")
    resp = await client.patch("/api/auth/me", json={"password": "a new password"}, headers=headers)
    await assert_error(resp, 403, "identity")
    resp = await client.post(
        "/api/auth/login", json={"username": "deploy", "password": "a new password"}
    )
    assert resp.status == 401


async def test_with_two_processes_a_mention_on_either_calls_the_bot_once(
    aiohttp_client, tmp_path, answering
):
    from tests.redisproc import RedisServer

    redis_server = RedisServer(tmp_path / "redis").start()
    try:
        settings = Settings(
            data_dir=tmp_path / "shared",
            redis_url=redis_server.url,
            backplane_poll_seconds=0.3,
            presence_ttl=3.0,
            **NO_RATE_LIMITS,
            **LOOPBACK_ALLOWED,
        )
        a = await aiohttp_client(create_app(settings))
        b = await aiohttp_client(create_app(settings))
        admin = await register(a, "admin")
        bot = await make_bot(a, admin, outgoing_url=str(answering.make_url("/json")))
        room = await make_room(a, admin)
        ws_a = await connect(a, admin, room)
        await b.post(
            f"/api/chat/rooms/{room['id']}/messages/",
            json={"content": "@deploy on B"},
            headers=admin.headers,
        )  # B never heard of the bot being created
        await next_said(ws_a)
        reply = await next_said(ws_a)
        assert reply["message"]["sender"]["id"] == bot["id"]
        await no_frame(ws_a, "chat_message", wait=0.5)
        assert len(answering.calls) == 1
        await ws_a.close()
    finally:
        redis_server.stop()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254"])
async def test_a_bot_url_inside_the_server_network_is_never_called(
    aiohttp_client, tmp_path, answering, caplog, host
):
    """Without CHAT_OUTBOUND_ALLOW naming it, the door refuses the bot's URL before any
    connection: an admin's (or a thief's) bot cannot reach the server's own network."""
    from chat.keys import outbound_counts_key

    settings = Settings(data_dir=tmp_path / "closed", **NO_RATE_LIMITS, metrics=True)
    client = await aiohttp_client(create_app(settings))
    admin = await register(client, "admin")
    await make_bot(client, admin, outgoing_url=f"http://{host}:{answering.port}/json")
    room = await make_room(client, admin)
    with caplog.at_level(logging.WARNING, logger="chat.web.outgoing"):
        await client.post(
            f"/api/chat/rooms/{room['id']}/messages/",
            json={"content": "@deploy hello"},
            headers=admin.headers,
        )
        counts = client.server.app[outbound_counts_key]
        for _ in range(50):
            if counts[("bots", "private_address")]:
                break
            await asyncio.sleep(0.05)
    assert counts[("bots", "private_address")] == 1 and answering.calls == []
    assert any("private_address" in record.getMessage() for record in caplog.records)
    text = await (await client.get("/metrics")).text()
    assert 'teahouse_outbound_requests_total{caller="bots",outcome="private_address"} 1.0' in text
