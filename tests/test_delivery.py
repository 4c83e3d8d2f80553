"""Delivery guarantees: client_id idempotency, gap-free resume with ?since=, and a slow
reader that is disconnected (1013) without holding anyone else up."""

from __future__ import annotations

import asyncio
import json
import secrets
import time

import pytest
from aiohttp import WSMsgType

from chat.app import create_app
from chat.keys import core_key
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, next_frame, no_frame, register
from tests.test_channels_rooms import create_room
from tests.test_channels_socket import chat, connect


async def stored_ids(core, room_id: int, after: int = 0) -> list[int]:
    rows = await core.db.fetch_all(
        "SELECT id FROM messages WHERE room_id = ? AND id > ? ORDER BY id", (room_id, after)
    )
    return [row[0] for row in rows]


@pytest.fixture
async def room(client, alice):
    return await create_room(client, alice, name="delivery")


async def test_client_id_is_echoed_inside_the_message_to_everyone(client, alice, bob, room):
    ws_a, _ = await connect(client, alice, room["id"])
    ws_b, _ = await connect(client, bob, room["id"])
    await ws_a.send_json({"type": "chat_message", "content": "hi", "client_id": "tab1-0001"})
    for ws in (ws_a, ws_b):
        assert (await chat(ws))["message"]["client_id"] == "tab1-0001"
    await ws_a.close()
    await ws_b.close()


async def test_a_repeated_client_id_stores_nothing_and_answers_the_sender_only(
    client, core, alice, bob, room
):
    ws_a, _ = await connect(client, alice, room["id"])
    ws_b, _ = await connect(client, bob, room["id"])
    await ws_a.send_json({"type": "chat_message", "content": "once", "client_id": "retry-1"})
    original = (await chat(ws_a))["message"]
    await chat(ws_b)
    before = await stored_ids(core, room["id"])
    await ws_a.send_json({"type": "chat_message", "content": "once", "client_id": "retry-1"})
    again = (await chat(ws_a))["message"]
    assert again["id"] == original["id"] and again["client_id"] == "retry-1"
    await no_frame(ws_b, "chat_message")
    await ws_a.close()
    reconnected, _ = await connect(client, alice, room["id"])
    await reconnected.send_json({"type": "chat_message", "content": "once", "client_id": "retry-1"})
    assert (await chat(reconnected))["message"]["id"] == original["id"]
    await no_frame(ws_b, "chat_message")
    assert await stored_ids(core, room["id"]) == before
    await reconnected.close()
    await ws_b.close()


async def test_a_rest_retry_with_the_same_client_id_returns_the_original(
    client, core, alice, bob, room
):
    url = f"/api/chat/rooms/{room['id']}/messages/"
    first = await client.post(url, json={"content": "a", "client_id": "k"}, headers=alice.headers)
    assert first.status == 201
    again = await client.post(url, json={"content": "a", "client_id": "k"}, headers=alice.headers)
    assert again.status == 200
    assert (await again.json())["id"] == (await first.json())["id"]
    other = await client.post(url, json={"content": "a", "client_id": "k"}, headers=bob.headers)
    assert other.status == 201
    assert len(await stored_ids(core, room["id"])) == 3  # two messages and bob's join notice


async def test_simultaneous_retries_store_one_message(client, core, alice, room):
    ws, _ = await connect(client, alice, room["id"])
    frame = json.dumps({"type": "chat_message", "content": "dup", "client_id": "burst"})
    for _ in range(10):
        await ws.send_str(frame)
    answers = [(await chat(ws))["message"]["id"] for _ in range(10)]
    assert len(set(answers)) == 1
    assert len(await stored_ids(core, room["id"])) == 1
    await ws.close()


async def send_burst(ws, count: int, tag: str, pad: str = "") -> None:
    """Send count messages while reading the room; return once all are acknowledged."""

    async def read_acks():
        acked = 0
        while acked < count:
            frame = await next_frame(ws, "chat_message", timeout=15)
            acked += (frame["message"]["client_id"] or "").startswith(f"{tag}-")

    acks = asyncio.create_task(read_acks())
    for i in range(count):
        await ws.send_json(
            {"type": "chat_message", "content": f"{tag}-{i}{pad}", "client_id": f"{tag}-{i}"}
        )
        if i % 10 == 0:
            await asyncio.sleep(0.001)
    await acks


async def collect_until(ws, last_id: int, seen: list[int], timeout: float = 15.0) -> None:
    async def read():
        while not seen or seen[-1] < last_id:
            frame = await next_frame(ws, "chat_message", timeout=timeout)
            seen.append(frame["message"]["id"])

    await asyncio.wait_for(read(), timeout)


async def test_since_replays_everything_after_the_id_with_no_gap_or_duplicate(
    client, core, alice, bob, make_user, room
):
    carol = await make_user("carol")
    ws_b, _ = await connect(client, bob, room["id"])
    ws_c, _ = await connect(client, carol, room["id"])
    reader, _ = await connect(client, alice, room["id"])
    senders = [
        asyncio.create_task(send_burst(ws_b, 300, "b")),
        asyncio.create_task(send_burst(ws_c, 300, "c")),
    ]
    resumes = []
    seen_before = []
    for _ in range(3):
        while len(seen_before) < 20:
            seen_before.append((await next_frame(reader, "chat_message"))["message"]["id"])
        await reader.close()
        since = seen_before[-1]
        reader, _ = await connect(client, alice, room["id"], f"&since={since}")
        resumes.append((since, reader))
        seen_before = []
        while len(seen_before) < 20:
            seen_before.append((await next_frame(reader, "chat_message"))["message"]["id"])
        resumes[-1] = (since, reader, list(seen_before))
    await asyncio.wait_for(asyncio.gather(*senders), 20)
    everything = await stored_ids(core, room["id"])
    since, last_reader, seen = resumes[-1]
    await collect_until(last_reader, everything[-1], seen)
    assert seen == [i for i in everything if i > since]
    for earlier_since, _, earlier_seen in resumes[:-1]:
        expected = [i for i in everything if i > earlier_since][: len(earlier_seen)]
        assert earlier_seen == expected
    assert len(everything) >= 600
    for ws in (ws_b, ws_c, last_reader):
        await ws.close()


async def test_a_long_replay_overlapping_live_traffic_holds_each_message_once(
    client, core, alice, bob, make_user, room
):
    carol = await make_user("carol")
    ws_b, _ = await connect(client, bob, room["id"])
    # Megabytes of history that no kernel buffer holds: the replay is still being
    # written while the live messages below are committed and queued.
    # 700 + 2 x 150 stays within the bounded replay (1000 messages).
    await send_burst(ws_b, 700, "old", " " + secrets.token_hex(2000))
    old = await stored_ids(core, room["id"])
    since = old[0]
    ws_c, _ = await connect(client, carol, room["id"])
    senders = [
        asyncio.create_task(send_burst(ws_b, 150, "b")),
        asyncio.create_task(send_burst(ws_c, 150, "c")),
    ]
    while len(await stored_ids(core, room["id"], old[-1])) < 20:
        await asyncio.sleep(0.005)
    reader, _ = await connect(client, alice, room["id"], f"&since={since}", compress=0)
    seen: list[int] = []
    await asyncio.wait_for(asyncio.gather(*senders), 30)
    everything = await stored_ids(core, room["id"])
    await collect_until(reader, everything[-1], seen)
    await no_frame(reader, "chat_message")
    assert seen == [i for i in everything if i > since]
    for ws in (ws_b, ws_c, reader):
        await ws.close()


async def test_since_with_nothing_new_replays_nothing(client, alice, room):
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "x"}, headers=alice.headers
    )
    last = (await resp.json())["id"]
    ws, _ = await connect(client, alice, room["id"], f"&since={last}")
    await no_frame(ws, "chat_message")
    ws2, _ = await connect(client, alice, room["id"], "&since=0")
    assert (await chat(ws2))["message"]["id"] == last
    await ws.close()
    await ws2.close()


async def test_a_malformed_since_closes_the_socket_with_a_reason(client, alice, room):
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}&since=abc")
    msg = await asyncio.wait_for(ws.receive(), 3)
    assert msg.type == WSMsgType.CLOSE and msg.data not in (1000, 1006)


@pytest.fixture
async def small_queues(aiohttp_client, tmp_path):
    """A server whose sockets may hold 64 unsent frames: one commit batch fits."""
    settings = Settings(
        data_dir=tmp_path / "data", socket_queue_limit=64, heartbeat_seconds=30, **NO_RATE_LIMITS
    )
    return await aiohttp_client(create_app(settings))


async def test_a_reader_that_stops_reading_is_closed_1013_and_nobody_waits(small_queues):
    client = small_queues
    alice, bob, slow = [await register(client, name) for name in ("alice", "bob", "slow")]
    room = await create_room(client, alice, name="firehose")
    ws_a, _ = await connect(client, alice, room["id"])
    ws_b, _ = await connect(client, bob, room["id"])
    ws_s, _ = await connect(client, slow, room["id"], max_msg_size=0, compress=0)
    arrivals: dict[int, float] = {}
    left = asyncio.Event()

    async def bob_reads():
        while True:
            frame = await next_frame(ws_b, timeout=20)
            if frame["type"] == "chat_message":
                arrivals[frame["message"]["id"]] = time.monotonic()
            elif frame["type"] == "user_leave" and frame["user"]["id"] == slow.id:
                left.set()

    reading = asyncio.create_task(bob_reads())
    body = "x" * 4900
    echoed: dict[int, float] = {}
    started = time.monotonic()
    for batch in range(200):
        for i in range(16):
            await ws_a.send_json({"type": "chat_message", "content": f"{batch}-{i} {body}"})
        for _ in range(16):
            frame = await chat(ws_a)
            echoed[frame["message"]["id"]] = time.monotonic()
        if left.is_set():
            break
    assert left.is_set(), "the slow reader was never disconnected"
    assert time.monotonic() - started < 30
    await asyncio.sleep(0.2)
    reading.cancel()
    assert set(echoed) <= set(arrivals)
    assert max(arrivals[i] - echoed[i] for i in echoed) < 1.0
    got = []
    while True:
        msg = await asyncio.wait_for(ws_s.receive(), 5)
        if msg.type != WSMsgType.TEXT:
            break
        frame = json.loads(msg.data)
        if frame["type"] == "chat_message" and frame["message"]["message_type"] == "text":
            got.append(frame["message"]["id"])
    assert ws_s.close_code == 1013
    assert got == sorted(echoed)[: len(got)] and len(got) < len(echoed)
    core = client.server.app[core_key]
    assert core.hub.overflows == 1  # what /metrics reports as teahouse_queue_overflows_total
    assert [u.username for u in core.hub.online_in(room["id"])] == ["alice", "bob"]
    again, hello = await connect(client, slow, room["id"])
    assert [u["username"] for u in hello["online_users"]] == ["alice", "bob", "slow"]
    for ws in (ws_a, ws_b, again):
        await ws.close()
