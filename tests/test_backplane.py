"""Several processes on one Redis: each test runs two Teahouse apps (A and B) on one
data directory and a real redis-server, as two processes would; the subprocess tests
kill real processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from datetime import UTC, datetime, timedelta, timezone

import aiohttp
import pytest
import redis.asyncio as redis

from chat.app import create_app
from chat.db import Database, event_log
from chat.keys import core_key
from chat.scale.backplane import CHANNEL, INBOX
from chat.settings import Settings
from tests.helpers import (
    NO_RATE_LIMITS,
    Person,
    assert_error,
    closed_with,
    connect,
    make_room,
    next_frame,
    no_frame,
    post_message,
    register,
)
from tests.redisproc import RedisServer
from tests.serverproc import ServerProcess, create_database
from tests.test_faults import fill, small_disk  # noqa: F401 (a fixture)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def shared_settings(tmp_path, redis_server, **extra) -> Settings:
    values = {
        "data_dir": tmp_path / "data",
        "heartbeat_seconds": 5.0,
        "redis_url": redis_server.url,
        "backplane_poll_seconds": 0.3,
        "presence_ttl": 3.0,
        **NO_RATE_LIMITS,
    }
    values.update(extra)
    return Settings(**values)


@pytest.fixture
async def pair(aiohttp_client, tmp_path, redis_server):
    """Clients of process A and process B, sharing the database and Redis."""
    settings = shared_settings(tmp_path, redis_server)
    a = await aiohttp_client(create_app(settings))
    b = await aiohttp_client(create_app(settings))
    return a, b


async def alice_and_bob_in_a_room(client, owner: str = "alice"):
    """alice and bob registered, a room made by `owner` that the other one has joined."""
    alice, bob = await register(client, "alice"), await register(client, "bob")
    maker, joiner = (alice, bob) if owner == "alice" else (bob, alice)
    room = await make_room(client, maker)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=joiner.headers)
    return alice, bob, room


async def joined(ws, user_id: int, timeout: float = 5.0) -> None:
    """user_join of user_id arrives (one's own join may come first)."""
    while (await next_frame(ws, "user_join", timeout))["user"]["id"] != user_id:
        pass


async def settled(*clients) -> None:
    """Each process has delivered every committed event: the bus is a moment behind,
    and a socket opened before an earlier event arrives would hear it live."""
    for client in clients:
        core = client.server.app[core_key]
        for _ in range(250):
            heads = await event_log.heads(core.db.reader)
            if all(core.backplane.sequencer.last.get(s, 0) >= h for s, h in heads.items()):
                break
            await asyncio.sleep(0.02)


async def texts(ws, kind: str, count: int) -> list[str]:
    """The next count messages people wrote (a join notice may reach B after its
    socket opened: it is a message too, of type system)."""
    found = []
    while len(found) < count:
        message = (await next_frame(ws, kind))["message"]
        if message["message_type"] != "system":
            found.append(message["content"])
    return found


async def test_a_message_sent_on_a_reaches_every_dialect_on_b_once(pair):
    a, b = pair
    alice, bob, room = await alice_and_bob_in_a_room(a)
    await settled(b)
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


async def spy(redis_server, *channels: str):
    """A Redis subscriber of the given channels, subscribed when returned."""
    client = redis.from_url(redis_server.url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(*channels)
    return client, pubsub


async def heard(pubsub, wait: float = 0.5) -> list[tuple[bytes, bytes]]:
    """(channel, data) of what the spy heard within wait seconds."""
    found, deadline = [], time.monotonic() + wait
    while time.monotonic() < deadline:
        message = await pubsub.get_message(timeout=0.05)
        if message and message["type"] == "message":
            found.append((message["channel"], message["data"]))
    return found


async def test_news_goes_to_the_others_inboxes_in_batches_and_in_order(pair, redis_server):
    """Events committed together cross in one bus message, one line each after the
    sender's name, in sequence order; nothing is published to the sender's own inbox."""
    a, b = pair
    alice, bob, room = await alice_and_bob_in_a_room(a)
    plane_a, plane_b = (c.server.app[core_key].backplane for c in (a, b))
    await settled(a, b)
    on_b = await connect(b, bob, room)
    client, pubsub = await spy(redis_server, INBOX + plane_a.origin, INBOX + plane_b.origin)
    sent = await asyncio.gather(*(post_message(a, alice, room, f"m{n}") for n in range(8)))
    items = []
    for channel, data in await heard(pubsub):  # (B's news of bob's socket goes to A)
        origin, *lines = data.split(b"\n")
        inbox_of = plane_b if origin == plane_a.origin.encode() else plane_a
        assert channel == (INBOX + inbox_of.origin).encode()  # never one's own inbox
        if origin == plane_a.origin.encode():
            items.append(lines)
    assert max(len(lines) for lines in items) > 1  # a commit batch is one message
    seqs = [
        int(line.split(b" ")[2]) for lines in items for line in lines if line.startswith(b"event ")
    ]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    # B's socket hears each message once, in commit order (message ids).
    got = [(await next_frame(on_b, "chat_message"))["message"]["id"] for _ in sent]
    assert got == sorted(s["id"] for s in sent)
    await no_frame(on_b, "chat_message", wait=0.3)
    await pubsub.aclose()
    await client.aclose()
    await on_b.close()


async def test_a_process_alone_publishes_nothing(aiohttp_client, tmp_path, redis_server):
    client = await aiohttp_client(create_app(shared_settings(tmp_path, redis_server)))
    alice = await register(client, "alice")
    room = await make_room(client, alice)
    watcher, pubsub = await spy(redis_server, CHANNEL)
    await pubsub.psubscribe(INBOX + "*")
    await post_message(client, alice, room, "nobody else to tell")
    assert await heard(pubsub) == []
    await pubsub.aclose()
    await watcher.aclose()


async def test_a_bus_message_that_never_came_is_repaired_in_order(pair):
    """B hears the next event after one it never got: it fetches the missing one from
    the event log and delivers both, in order, once."""
    a, b = pair
    alice, bob, room = await alice_and_bob_in_a_room(a)
    plane_a = a.server.app[core_key].backplane
    await settled(a, b)
    on_b = await connect(b, bob, room)
    peers, plane_a.peers = plane_a.peers, set()  # A's next publication reaches nobody
    await post_message(a, alice, room, "lost on the bus")
    await asyncio.sleep(0.05)
    plane_a.peers = peers
    await post_message(a, alice, room, "after it")
    assert await texts(on_b, "chat_message", 2) == ["lost on the bus", "after it"]
    await no_frame(on_b, "chat_message", wait=0.5)
    await on_b.close()


async def test_a_newcomer_gets_what_was_sent_before_the_others_knew_it(
    aiohttp_client, tmp_path, redis_server
):
    """A process that says hello is answered "welcome" and fetches from the log what
    the others committed before they sent to its inbox: no safety poll needed (it is
    a minute here), no later event needed to show the gap."""
    settings = shared_settings(tmp_path, redis_server, backplane_poll_seconds=60.0)
    a = await aiohttp_client(create_app(settings))
    b = await aiohttp_client(create_app(settings))
    alice, bob, room = await alice_and_bob_in_a_room(a)
    plane_a, plane_b = (c.server.app[core_key].backplane for c in (a, b))
    await settled(a, b)
    on_b = await connect(b, bob, room)
    plane_a.peers.clear()  # A does not know B yet, as just before B's hello arrives
    await post_message(a, alice, room, "sent before A knew B")
    await asyncio.sleep(0.05)
    await plane_b._keep_alive(announce=True)  # B's hello
    assert await texts(on_b, "chat_message", 1) == ["sent before A knew B"]
    await no_frame(on_b, "chat_message", wait=0.3)
    await on_b.close()


async def test_a_scheduled_message_is_sent_by_b_when_a_is_gone(pair):
    """B's scheduler sleeps until its own next item; a scheduled message stored on A
    wakes it, so the message goes out on time although A stopped meanwhile."""
    a, b = pair
    alice, bob, room = await alice_and_bob_in_a_room(a)
    await settled(b)
    ws = await connect(b, bob, room)
    send_at = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    resp = await a.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "sent by whoever is still there", "send_at": send_at},
    )
    assert resp.status == 201, await resp.text()
    await settled(b)
    await a.close()  # A's scheduler stops with it
    frame = await next_frame(ws, "chat_message", timeout=6)
    assert frame["message"]["content"] == "sent by whoever is still there"
    await ws.close()


async def test_tabs_on_two_processes_are_one_presence(pair):
    a, b = pair
    alice, bob, room = await alice_and_bob_in_a_room(a, owner="bob")
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
    alice, bob, room = await alice_and_bob_in_a_room(a)
    on_a = await connect(a, alice, room)
    on_b = await connect(b, bob, room)
    await on_a.send_json({"type": "typing", "is_typing": True})
    frame = await next_frame(on_b, "typing")
    assert frame["user"]["id"] == alice.id and frame["is_typing"] is True
    for ws in (on_a, on_b):
        await ws.close()


async def test_nothing_is_lost_while_redis_restarts(pair, redis_server):
    a, b = pair
    alice, bob, room = await alice_and_bob_in_a_room(a)
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


async def test_presence_agrees_again_after_redis_restarts(pair, redis_server):
    """Redis forgets every process's presence hash when it restarts; whichever process
    reconnects first must not drop the other's users for good."""
    a, b = pair
    core_a, core_b = a.server.app[core_key], b.server.app[core_key]
    alice, bob, room = await alice_and_bob_in_a_room(a)
    on_a = await connect(a, alice, room)
    on_b = await connect(b, bob, room)
    await joined(on_a, bob.id)
    redis_server.stop()
    await asyncio.sleep(0.5)
    redis_server.start()
    deadline = time.monotonic() + 6
    while not (
        core_a.hub.is_online_in(room["id"], bob.id)
        and core_b.hub.is_online_in(room["id"], alice.id)
        and core_a.backplane.connected.is_set()
        and core_b.backplane.connected.is_set()
    ):
        assert time.monotonic() < deadline, "presence did not agree again"
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.5)  # several heartbeats and scans later, still agreed
    assert core_a.hub.is_online_in(room["id"], bob.id)
    assert core_b.hub.is_online_in(room["id"], alice.id)
    await no_frame(on_a, "user_leave", wait=0.3)  # and nobody seemed to leave meanwhile
    await no_frame(on_b, "user_leave", wait=0.3)
    for ws in (on_a, on_b):
        await ws.close()


async def test_a_new_process_learns_who_is_online(aiohttp_client, tmp_path, redis_server):
    settings = shared_settings(tmp_path, redis_server)
    a = await aiohttp_client(create_app(settings))
    alice = await register(a, "alice")
    room = await make_room(a, alice)
    on_a = await connect(a, alice, room)
    c = await aiohttp_client(create_app(settings))  # started after alice came online
    assert c.server.app[core_key].hub.is_online_in(room["id"], alice.id)
    await on_a.close()
    deadline = time.monotonic() + 3
    while c.server.app[core_key].hub.is_online_in(room["id"], alice.id):
        assert time.monotonic() < deadline, "alice's departure did not reach the new process"
        await asyncio.sleep(0.05)


async def test_presence_is_written_again_when_redis_loses_it(
    pair, redis_server, aiohttp_client, tmp_path
):
    """Redis emptied under live connections (a failover, a restart the client did not
    notice): each process finds its key gone, writes its users again and says hello,
    so a process started afterwards still learns who is online."""
    a, b = pair
    alice, bob, room = await alice_and_bob_in_a_room(a)
    on_a = await connect(a, alice, room)
    on_b = await connect(b, bob, room)
    await joined(on_a, bob.id)
    client = redis.from_url(redis_server.url)
    await client.flushall()
    await client.aclose()
    await asyncio.sleep(1.5)  # three heartbeats (presence_ttl 3 s)
    c = await aiohttp_client(create_app(shared_settings(tmp_path, redis_server)))
    hub_c = c.server.app[core_key].hub
    assert hub_c.is_online_in(room["id"], alice.id) and hub_c.is_online_in(room["id"], bob.id)
    assert a.server.app[core_key].hub.is_online_in(room["id"], bob.id)
    await no_frame(on_a, "user_leave", wait=0.3)
    for ws in (on_a, on_b):
        await ws.close()


async def test_an_unreadable_presence_entry_stops_nothing(pair, redis_server):
    """Garbage in another process's presence hash is skipped: the heartbeat that reads
    it goes on (or this process's key would expire and the others forget its users)."""
    a, b = pair
    plane_a, plane_b = a.server.app[core_key].backplane, b.server.app[core_key].backplane
    alice = await register(a, "alice")
    room = await make_room(a, alice)
    on_b = await connect(b, alice, room)
    client = redis.from_url(redis_server.url)
    await client.hset(f"teahouse:presence:{plane_b.origin}", "x:y", "not json")
    await client.delete(f"teahouse:alive:{plane_a.origin}")  # A re-announces and reads B's hash
    await asyncio.sleep(2.5)  # beyond A's key lifetime (2 s): refreshed meanwhile?
    assert await client.exists(f"teahouse:alive:{plane_a.origin}")
    assert a.server.app[core_key].hub.is_online_in(room["id"], alice.id)
    await client.aclose()
    await on_b.close()


async def test_ending_a_login_closes_its_sockets_in_every_process(pair):
    a, b = pair
    alice = await register(a, "alice")
    room = await make_room(a, alice)
    resp = await a.post("/api/chat/tokens/", json={"name": "ci"}, headers=alice.headers)
    made = await resp.json()
    script = Person(alice.id, alice.username, made["token"], "", alice.is_admin)
    script_b = await connect(b, script, room)
    page_b = await connect(b, alice, room)
    assert (await a.delete(f"/api/chat/tokens/{made['id']}/", headers=alice.headers)).status == 204
    await closed_with(script_b, 4001)  # the revoked token's socket, on the other process
    await page_b.send_json({"type": "chat_message", "content": "still here"})
    await next_frame(page_b, "chat_message")
    resp = await a.patch(
        "/api/auth/me",
        json={"password": "new password", "old_password": "correct horse"},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    await closed_with(page_b, 4001)  # a password change ends the logins everywhere


async def test_events_pruned_before_a_process_saw_them_make_its_sockets_resume(pair):
    """A process suspended for longer than the log keeps events cannot deliver what
    it missed: its sockets there are told to reconnect and resume (1012) at once."""
    a, b = pair
    alice = await register(a, "alice")
    room = await make_room(a, alice)
    on_b = await connect(b, alice, room)
    plane_b = b.server.app[core_key].backplane
    for task in plane_b.tasks:  # B hears and polls nothing, as if suspended
        task.cancel()
    await asyncio.gather(*plane_b.tasks, return_exceptions=True)
    await post_message(a, alice, room, "missed")
    core_a = a.server.app[core_key]
    await core_a.db.write(lambda conn: event_log.prune(conn, time.time() + 1))
    await plane_b._repair_all()  # B wakes up: the log no longer has the event
    await closed_with(on_b, 1012)


async def test_one_process_without_redis_logs_no_events(aiohttp_client, tmp_path):
    """The single process pays nothing for the backplane: no event log rows."""
    client = await aiohttp_client(
        create_app(Settings(data_dir=tmp_path / "data", **NO_RATE_LIMITS))
    )
    alice = await register(client, "alice")
    room = await make_room(client, alice)
    await post_message(client, alice, room, "hello")
    core = client.server.app[core_key]
    assert core.backplane is None
    for table in ("event_log", "event_streams"):
        assert (await core.db.fetch_one(f"SELECT COUNT(*) FROM {table}"))[0] == 0


async def test_processes_starting_together_migrate_once(tmp_path):
    """Instances started at once (systemd's teahouse@1 and @2) race at the migrations:
    the ones that lose find them applied instead of failing."""
    databases = [Database(tmp_path / "teahouse.db") for _ in range(5)]
    try:
        await asyncio.gather(*(db.open() for db in databases))
    finally:
        for db in databases:
            await db.close()


async def test_a_full_disk_is_507_with_redis_too(aiohttp_client, small_disk, redis_server):
    settings = shared_settings(small_disk, redis_server, min_free_mb=1)
    client = await aiohttp_client(create_app(settings))
    alice = await register(client, "alice")
    room = await make_room(client, alice)
    fill(small_disk)
    for n in range(300):  # the WAL may still have room for a few messages
        resp = await client.post(
            f"/api/chat/rooms/{room['id']}/messages/",
            json={"content": f"on a full disk {n} " + "x" * 2000},
            headers=alice.headers,
        )
        if resp.status != 201:
            break
    assert "disk is full" in await assert_error(resp, 507, "channels")


async def test_login_throttling_counts_across_processes(pair):
    a, b = pair
    await register(a, "alice")
    statuses = []
    for n in range(6):  # alternating processes: 3 failures each, 6 in all
        client = (a, b)[n % 2]
        resp = await client.post(
            "/api/auth/login", json={"username": "alice", "password": f"wrong {n}"}
        )
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
        resp = await client.post(
            f"/api/chat/rooms/{room['id']}/messages/",
            json={"content": f"m{n}"},
            headers=alice.headers,
        )
        statuses.append(resp.status)
    assert statuses == [201, 201, 201, 429], statuses


@pytest.mark.slow
async def test_a_killed_process_loses_nothing_and_its_users_go_offline(tmp_path, redis_server):
    data = tmp_path / "data"
    await asyncio.to_thread(create_database, data)
    env = {
        "CHAT_REDIS_URL": redis_server.url,
        "CHAT_PRESENCE_TTL": "2",
        "CHAT_BACKPLANE_POLL": "0.3",
        "CHAT_SECRET": "s" * 32,
    }
    first = ServerProcess(data, **env).start()
    second = ServerProcess(data, **env).start()
    try:
        async with aiohttp.ClientSession() as http:

            async def call(server, method, path, token=None, **kw):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                async with http.request(method, server.base + path, headers=headers, **kw) as r:
                    return r.status, await r.json()

            _, alice = await call(
                first,
                "POST",
                "/api/auth/register",
                json={"username": "alice", "password": "correct horse"},
            )
            _, bob = await call(
                first,
                "POST",
                "/api/auth/register",
                json={"username": "bob", "password": "correct horse"},
            )
            _, room = await call(
                first, "POST", "/api/chat/rooms/", alice["access_token"], json={"name": "team"}
            )
            await call(first, "POST", f"/api/chat/rooms/{room['id']}/join/", bob["access_token"])
            watcher = await http.ws_connect(
                f"{first.base.replace('http', 'ws')}/ws/chat/{room['id']}/"
                f"?token={alice['access_token']}"
            )
            await next_frame(watcher, "connection_established")
            on_b = await http.ws_connect(
                f"{second.base.replace('http', 'ws')}/ws/chat/{room['id']}/"
                f"?token={bob['access_token']}"
            )
            await next_frame(on_b, "connection_established")
            await joined(watcher, bob["user"]["id"])
            seen = []
            for n in range(3):
                await call(
                    first,
                    "POST",
                    f"/api/chat/rooms/{room['id']}/messages/",
                    alice["access_token"],
                    json={"content": f"m{n}"},
                )
                seen.append((await next_frame(on_b, "chat_message"))["message"]["id"])

            second.kill()  # SIGKILL: no goodbye
            status = [
                (
                    await call(
                        first,
                        "POST",
                        f"/api/chat/rooms/{room['id']}/messages/",
                        alice["access_token"],
                        json={"content": f"while gone {n}"},
                    )
                )[0]
                for n in range(3)
            ]
            assert status == [201] * 3
            # Bob's process is gone: within the presence TTL the others see him leave.
            assert (await next_frame(watcher, "user_leave", timeout=8))["user"]["id"] == bob[
                "user"
            ]["id"]
            # His client resumes on the surviving process from the last id it saw.
            resumed = await http.ws_connect(
                f"{first.base.replace('http', 'ws')}/ws/chat/{room['id']}/"
                f"?token={bob['access_token']}&since={seen[-1]}"
            )
            got = [
                (await next_frame(resumed, "chat_message"))["message"]["content"] for _ in range(3)
            ]
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
    server = ServerProcess(
        data,
        CHAT_REDIS_URL=redis_server.url,
        CHAT_WORKERS="2",
        CHAT_BACKPLANE_POLL="0.3",
        CHAT_SECRET="s" * 32,
    ).start()
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while len(children_of(server.process.pid)) < 2:
            assert asyncio.get_running_loop().time() < deadline, "two workers did not start"
            await asyncio.sleep(0.1)
        workers = children_of(server.process.pid)
        async with aiohttp.ClientSession() as http:
            base, ws_base = server.base, server.base.replace("http", "ws")
            async with http.post(
                base + "/api/auth/register", json={"username": "alice", "password": "correct horse"}
            ) as r:
                alice = await r.json()
            async with http.post(
                base + "/api/chat/rooms/",
                json={"name": "team"},
                headers={"Authorization": f"Bearer {alice['access_token']}"},
            ) as r:
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
        assert (
            not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
        )
