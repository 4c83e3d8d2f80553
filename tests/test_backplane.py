"""Several processes on one Redis: each test runs two Teahouse apps (A and B) on one
data directory and a real redis-server, as two processes would; the subprocess tests
kill real processes."""
from __future__ import annotations

import asyncio
import json
import os
import signal

import aiohttp
import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import (NO_RATE_LIMITS, connect, make_room, next_frame, no_frame,
                           post_message, register)
from tests.redisproc import RedisServer
from tests.serverproc import ServerProcess, create_database


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def shared_settings(tmp_path, redis_server, **extra) -> Settings:
    values = {"data_dir": tmp_path / "data", "heartbeat_seconds": 5.0, "redis_url": redis_server.url,
              "backplane_poll_seconds": 0.3, "presence_ttl": 3.0, **NO_RATE_LIMITS}
    values.update(extra)
    return Settings(**values)


@pytest.fixture
async def pair(aiohttp_client, tmp_path, redis_server):
    """Clients of process A and process B, sharing the database and Redis."""
    settings = shared_settings(tmp_path, redis_server)
    a = await aiohttp_client(create_app(settings))
    b = await aiohttp_client(create_app(settings))
    return a, b


async def joined(ws, user_id: int, timeout: float = 5.0) -> None:
    """user_join of user_id arrives (one's own join may come first)."""
    while (await next_frame(ws, "user_join", timeout))["user"]["id"] != user_id:
        pass


async def texts(ws, kind: str, count: int) -> list[str]:
    frames = [await next_frame(ws, kind) for _ in range(count)]
    return [frame["message"]["content"] for frame in frames]


async def test_a_message_sent_on_a_reaches_every_dialect_on_b_once(pair):
    a, b = pair
    alice, bob = await register(a, "alice"), await register(a, "bob")
    room = await make_room(a, alice)
    await a.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    v1_b = await connect(b, bob, room, "v1")
    channels_b = await connect(b, bob, room)
    user_b = await b.ws_connect(f"/ws/user/?token={bob.token}")
    await next_frame(user_b, "connection_established")

    sent = await post_message(a, alice, room, "hello from A")
    frame = await next_frame(channels_b, "chat_message")
    assert frame["message"]["id"] == sent["id"] and frame["message"]["content"] == "hello from A"
    v1 = await next_frame(v1_b, "message")
    assert v1["message_id"] == sent["id"] and v1["content"] == "hello from A"
    assert (await next_frame(user_b, "chat_message"))["message"]["id"] == sent["id"]
    for ws, kind in ((channels_b, "chat_message"), (v1_b, "message"), (user_b, "chat_message")):
        await no_frame(ws, kind, wait=0.5)  # once

    # And back: a socket on B sends, A's sockets hear it once.
    channels_a = await connect(a, alice, room)
    await channels_b.send_json({"type": "chat_message", "content": "hello from B"})
    assert (await next_frame(channels_a, "chat_message"))["message"]["content"] == "hello from B"
    await no_frame(channels_a, "chat_message", wait=0.5)
    for ws in (channels_a, channels_b, v1_b, user_b):
        await ws.close()


async def test_tabs_on_two_processes_are_one_presence(pair):
    a, b = pair
    alice, bob = await register(a, "alice"), await register(a, "bob")
    room = await make_room(a, bob)
    await a.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
    watcher = await connect(a, bob, room)
    tab_b = await connect(b, alice, room)
    await joined(watcher, alice.id)
    tab_a = await connect(a, alice, room)
    await no_frame(watcher, "user_join", wait=0.5)  # a second tab is no second presence
    await tab_a.close()
    await no_frame(watcher, "user_leave", wait=0.5)  # still there on B
    await tab_b.close()
    assert (await next_frame(watcher, "user_leave"))["user"]["id"] == alice.id
    await watcher.close()


async def test_typing_crosses_between_processes(pair):
    a, b = pair
    alice, bob = await register(a, "alice"), await register(a, "bob")
    room = await make_room(a, alice)
    await a.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    on_a = await connect(a, alice, room)
    on_b = await connect(b, bob, room)
    await on_a.send_json({"type": "typing", "is_typing": True})
    frame = await next_frame(on_b, "typing")
    assert frame["user"]["id"] == alice.id and frame["is_typing"] is True
    for ws in (on_a, on_b):
        await ws.close()


async def test_nothing_is_lost_while_redis_restarts(pair, redis_server):
    a, b = pair
    alice, bob = await register(a, "alice"), await register(a, "bob")
    room = await make_room(a, alice)
    await a.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    on_b = await connect(b, bob, room)
    await post_message(a, alice, room, "before")
    assert await texts(on_b, "chat_message", 1) == ["before"]

    redis_server.stop()
    for n in range(5):  # stored and acknowledged without Redis
        await post_message(a, alice, room, f"during {n}")
    # B catches up from the database (the safety poll) while the bus is down.
    assert await texts(on_b, "chat_message", 5) == [f"during {n}" for n in range(5)]

    redis_server.start()
    await asyncio.sleep(1.5)  # both reconnect
    for n in range(3):
        await post_message(a, alice, room, f"after {n}")
    assert await texts(on_b, "chat_message", 3) == [f"after {n}" for n in range(3)]
    await no_frame(on_b, "chat_message", wait=0.8)  # and nothing twice
    await on_b.close()


async def test_login_throttling_counts_across_processes(pair):
    a, b = pair
    await register(a, "alice")
    statuses = []
    for n in range(6):  # alternating processes: 3 failures each, 6 in all
        client = (a, b)[n % 2]
        resp = await client.post("/api/auth/login",
                                 json={"username": "alice", "password": f"wrong {n}"})
        statuses.append(resp.status)
    assert statuses[:5] == [401] * 5 and statuses[5] == 429, statuses


async def test_rate_limits_count_across_processes(aiohttp_client, tmp_path, redis_server):
    settings = shared_settings(tmp_path, redis_server, rate_messages=(0.01, 3))
    a = await aiohttp_client(create_app(settings))
    b = await aiohttp_client(create_app(settings))
    alice = await register(a, "alice")
    room = await make_room(a, alice)
    statuses = []
    for n in range(4):
        client = (a, b)[n % 2]
        resp = await client.post(f"/api/chat/rooms/{room['id']}/messages/",
                                 json={"content": f"m{n}"}, headers=alice.headers)
        statuses.append(resp.status)
    assert statuses == [201, 201, 201, 429], statuses


@pytest.mark.slow
async def test_a_killed_process_loses_nothing_and_its_users_go_offline(tmp_path, redis_server):
    data = tmp_path / "data"
    await asyncio.to_thread(create_database, data)
    env = {"CHAT_REDIS_URL": redis_server.url, "CHAT_PRESENCE_TTL": "2",
           "CHAT_BACKPLANE_POLL": "0.3", "CHAT_SECRET": "s" * 32}
    first = ServerProcess(data, **env).start()
    second = ServerProcess(data, **env).start()
    try:
        async with aiohttp.ClientSession() as http:
            async def call(server, method, path, token=None, **kw):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                async with http.request(method, server.base + path, headers=headers, **kw) as r:
                    return r.status, await r.json()
            _, alice = await call(first, "POST", "/api/auth/register",
                                  json={"username": "alice", "password": "correct horse"})
            _, bob = await call(first, "POST", "/api/auth/register",
                                json={"username": "bob", "password": "correct horse"})
            _, room = await call(first, "POST", "/api/chat/rooms/", alice["access_token"],
                                 json={"name": "team"})
            await call(first, "POST", f"/api/chat/rooms/{room['id']}/join/", bob["access_token"])
            watcher = await http.ws_connect(
                f"{first.base.replace('http', 'ws')}/ws/chat/{room['id']}/?token={alice['access_token']}")
            await next_frame(watcher, "connection_established")
            on_b = await http.ws_connect(
                f"{second.base.replace('http', 'ws')}/ws/chat/{room['id']}/?token={bob['access_token']}")
            await next_frame(on_b, "connection_established")
            await joined(watcher, bob["user"]["id"])
            seen = []
            for n in range(3):
                await call(first, "POST", f"/api/chat/rooms/{room['id']}/messages/",
                           alice["access_token"], json={"content": f"m{n}"})
                seen.append((await next_frame(on_b, "chat_message"))["message"]["id"])

            second.kill()  # SIGKILL: no goodbye
            status = [(await call(first, "POST", f"/api/chat/rooms/{room['id']}/messages/",
                                  alice["access_token"], json={"content": f"while gone {n}"}))[0]
                      for n in range(3)]
            assert status == [201] * 3
            # Bob's process is gone: within the presence TTL the others see him leave.
            assert (await next_frame(watcher, "user_leave", timeout=8))["user"]["id"] == bob["user"]["id"]
            # His client resumes on the surviving process from the last id it saw.
            resumed = await http.ws_connect(
                f"{first.base.replace('http', 'ws')}/ws/chat/{room['id']}/"
                f"?token={bob['access_token']}&since={seen[-1]}")
            got = [(await next_frame(resumed, "chat_message"))["message"]["content"] for _ in range(3)]
            assert got == [f"while gone {n}" for n in range(3)]
            await no_frame(resumed, "chat_message", wait=0.5)
            for ws in (watcher, on_b, resumed):
                await ws.close()
    finally:
        first.stop()
        second.stop()


def children_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(child) for child in handle.read().split()]


@pytest.mark.slow
async def test_workers_share_one_port_and_a_dead_worker_is_replaced(tmp_path, redis_server):
    data = tmp_path / "data"
    server = ServerProcess(data, CHAT_REDIS_URL=redis_server.url, CHAT_WORKERS="2",
                           CHAT_BACKPLANE_POLL="0.3", CHAT_SECRET="s" * 32).start()
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while len(children_of(server.process.pid)) < 2:
            assert asyncio.get_running_loop().time() < deadline, "two workers did not start"
            await asyncio.sleep(0.1)
        workers = children_of(server.process.pid)
        async with aiohttp.ClientSession() as http:
            base, ws_base = server.base, server.base.replace("http", "ws")
            async with http.post(base + "/api/auth/register",
                                 json={"username": "alice", "password": "correct horse"}) as r:
                alice = await r.json()
            async with http.post(base + "/api/chat/rooms/", json={"name": "team"},
                                 headers={"Authorization": f"Bearer {alice['access_token']}"}) as r:
                room = await r.json()
            url = f"{ws_base}/ws/chat/{room['id']}/?token={alice['access_token']}"
            sockets = []
            for _ in range(8):  # the kernel spreads them over both workers
                ws = await http.ws_connect(url)
                await next_frame(ws, "connection_established")
                sockets.append(ws)
            await sockets[0].send_str(json.dumps({"type": "chat_message", "content": "to all"}))
            for ws in sockets:
                assert (await next_frame(ws, "chat_message"))["message"]["content"] == "to all"

            victim = workers[0]

            os.kill(victim, signal.SIGKILL)
            deadline = asyncio.get_running_loop().time() + 10
            while True:  # the parent starts another worker
                now = children_of(server.process.pid)
                if len(now) == 2 and victim not in now:
                    break
                assert asyncio.get_running_loop().time() < deadline, now
                await asyncio.sleep(0.1)
            async with http.get(base + "/healthz") as r:
                assert r.status == 200
    finally:
        server.stop()
    assert server.process.returncode == 0
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
