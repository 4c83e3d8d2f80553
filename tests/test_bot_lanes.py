"""Outgoing bot calls: each bot has its own queue and workers, so one slow endpoint
delays only itself; a sender has a budget of mentions that call bots; a private room's
messages reach only the bots that are members of it. The bots are loopback servers."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import LOOPBACK_ALLOWED, NO_RATE_LIMITS, connect, make_room, register
from tests.test_bots import make_bot, next_said

SLOW_SECONDS = 2.0


@pytest.fixture
async def endpoints(aiohttp_server):
    """Two bots' endpoints on loopback: /slow answers after SLOW_SECONDS, /fast at once."""
    calls: dict[str, list[str]] = {"slow": [], "fast": []}

    def answer(kind: str, delay: float):
        async def handle(request: web.Request) -> web.Response:
            calls[kind].append((await request.json())["text"])
            await asyncio.sleep(delay)
            return web.json_response({"text": f"{kind} says hi"})

        return handle

    app = web.Application()
    app.router.add_post("/slow", answer("slow", SLOW_SECONDS))
    app.router.add_post("/fast", answer("fast", 0))
    server = await aiohttp_server(app)
    server.calls = calls
    return server


@pytest.fixture
async def bot_client(aiohttp_client, tmp_path):
    async def make(**options):
        settings = Settings(
            data_dir=tmp_path / "data",
            bot_timeout_seconds=5.0,
            **{**NO_RATE_LIMITS, **LOOPBACK_ALLOWED, "rate_bot_calls": (0.0, 1), **options},
        )
        return await aiohttp_client(create_app(settings))

    return make


async def mention(client, person, room, text: str) -> None:
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": text}, headers=person.headers
    )
    assert resp.status == 201, await resp.text()


async def test_a_slow_bot_delays_only_itself(bot_client, endpoints):
    client = await bot_client(bot_queue_limit=5, bot_concurrency=1)
    admin = await register(client, "admin")
    await make_bot(client, admin, "slowbot", outgoing_url=str(endpoints.make_url("/slow")))
    fast = await make_bot(client, admin, "fastbot", outgoing_url=str(endpoints.make_url("/fast")))
    room = await make_room(client, admin)
    for n in range(8):  # one in flight, five waiting, two dropped: all of them the slow bot's
        await mention(client, admin, room, f"@slowbot job {n}")
    ws = await connect(client, admin, room)
    started = time.monotonic()
    await mention(client, admin, room, "@fastbot are you there")
    while (await next_said(ws, wait=SLOW_SECONDS))["message"]["sender"]["id"] != fast["id"]:
        pass
    assert time.monotonic() - started < SLOW_SECONDS / 2
    assert endpoints.calls["fast"] == ["@fastbot are you there"]
    await ws.close()


async def test_mentions_beyond_a_senders_budget_call_no_bot(bot_client, endpoints):
    client = await bot_client(rate_bot_calls=(0.001, 3))
    admin = await register(client, "admin")
    bob = await register(client, "bob")
    await make_bot(client, admin, "fastbot", outgoing_url=str(endpoints.make_url("/fast")))
    room = await make_room(client, admin)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    for n in range(6):
        await mention(client, admin, room, f"@fastbot {n}")
    await mention(client, bob, room, "@fastbot from bob")
    deadline = time.monotonic() + 5
    while len(endpoints.calls["fast"]) < 4 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert endpoints.calls["fast"] == [
        "@fastbot 0",
        "@fastbot 1",
        "@fastbot 2",
        "@fastbot from bob",
    ]


async def test_a_private_rooms_message_reaches_only_member_bots(bot_client, endpoints):
    client = await bot_client()
    admin = await register(client, "admin")
    alice = await register(client, "alice")
    bot = await make_bot(client, admin, "fastbot", outgoing_url=str(endpoints.make_url("/fast")))
    room = await make_room(client, alice, room_type="private")
    ws = await connect(client, alice, room)
    await mention(client, alice, room, "@fastbot the secret plan")
    await next_said(ws)
    await asyncio.sleep(0.5)
    assert endpoints.calls["fast"] == []
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/invite/", json={"username": "fastbot"}, headers=alice.headers
    )
    assert resp.status < 300, await resp.text()
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/join/", headers={"Authorization": f"Bearer {bot['key']}"}
    )
    assert resp.status == 200, await resp.text()
    await mention(client, alice, room, "@fastbot welcome")
    while (frame := await next_said(ws))["message"]["sender"]["id"] != bot["id"]:
        pass
    assert frame["message"]["content"] == "fast says hi"
    assert endpoints.calls["fast"] == ["@fastbot welcome"]
    await ws.close()


async def test_a_bots_reply_is_not_charged_to_the_address_that_mentioned_it(bot_client, endpoints):
    client = await bot_client(trusted_proxies=("127.0.0.1",), rate_address_messages=(0.001, 2))
    admin = await register(client, "admin")
    bot = await make_bot(client, admin, "fastbot", outgoing_url=str(endpoints.make_url("/fast")))
    room = await make_room(client, admin)
    ws = await connect(client, admin, room)
    away = {**admin.headers, "X-Forwarded-For": "198.51.100.7"}
    path = f"/api/chat/rooms/{room['id']}/messages/"
    assert (await client.post(path, json={"content": "@fastbot hi"}, headers=away)).status == 201
    while (await next_said(ws))["message"]["sender"]["id"] != bot["id"]:
        pass
    assert (await client.post(path, json={"content": "thanks"}, headers=away)).status == 201
    await ws.close()
