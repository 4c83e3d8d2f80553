"""Per-user rate limits (chat/core/ratelimit.py): a flood is refused with error frames
or 429 + Retry-After for the flooder alone; everyone else carries on."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from aiohttp import WSMsgType

from chat.core.ratelimit import MemoryBuckets, Rate, RateLimiter
from chat.errors import TooManyRequests
from chat.settings import Settings, SettingsError, load_settings
from tests.helpers import assert_error, connect, make_room, next_frame
from tests.test_uploads import png, upload

LIMITED = {
    "rate_messages": (0.5, 30),
    "rate_typing": (5.0, 20),
    "rate_reactions": (5.0, 20),
    "rate_uploads": (1.0, 3),
    "rate_writes": (10.0, 50),
}


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", heartbeat_seconds=5.0, **LIMITED)


async def test_a_socket_blasting_5000_messages_is_refused_after_the_burst_and_others_carry_on(
    client, core, make_user
):
    await make_user("admin")
    alice, bob = await make_user("alice"), await make_user("bob")
    room = await make_room(client, alice)
    flooder = await connect(client, alice, room)
    reader = await connect(client, bob, room)
    started = time.monotonic()
    for n in range(5000):
        await flooder.send_str(json.dumps({"type": "chat_message", "content": f"m{n}"}))
    stored, errors = 0, 0
    deadline = time.monotonic() + 30
    while stored + errors < 5000 and time.monotonic() < deadline:
        msg = await asyncio.wait_for(flooder.receive(), 10)
        assert msg.type == WSMsgType.TEXT, msg
        frame = json.loads(msg.data)
        if frame["type"] == "error":
            assert "Too many" in frame["message"]
            errors += 1
        elif (
            frame["type"] == "chat_message"
            and (frame["message"]["sender"] or {}).get("id") == alice.id
        ):
            stored += 1
    elapsed = time.monotonic() - started
    assert stored + errors == 5000
    assert 30 <= stored <= 30 + 0.5 * elapsed + 1, (stored, elapsed)
    rows = await core.db.fetch_all("SELECT COUNT(*) FROM messages WHERE sender_id = ?", (alice.id,))
    assert rows[0][0] == stored
    # The flooder's socket stays open and is served again once its bucket refills...
    await asyncio.sleep(2.2)  # one token at 0.5/s
    await flooder.send_str(json.dumps({"type": "chat_message", "content": "calm again"}))
    assert (await next_frame(flooder, "chat_message"))["message"]["content"] == "calm again"
    # ...and the other member was never limited or closed.
    await reader.send_str(json.dumps({"type": "chat_message", "content": "bob speaks"}))
    while (frame := await next_frame(reader, "chat_message"))["message"]["content"] != "bob speaks":
        pass
    assert not reader.closed
    await flooder.close()
    await reader.close()


@pytest.mark.parametrize(
    "dialect, path",
    [
        ("channels", "/api/chat/rooms/{room}/messages/"),
        ("simple", "/api/chat/send"),
    ],
)
async def test_rest_messages_over_the_rate_get_429_with_retry_after(
    client, make_user, dialect, path
):
    await make_user("admin")
    alice = await make_user("alice")
    room = await make_room(client, alice)
    body = {"content": "hi", "room_id": room["id"]}
    statuses = []
    for _ in range(40):
        resp = await client.post(path.format(room=room["id"]), json=body, headers=alice.headers)
        statuses.append(resp.status)
        if resp.status == 429:
            assert int(resp.headers["Retry-After"]) >= 1
            await assert_error(resp, 429, dialect)
        else:
            await resp.read()
    assert statuses.count(429) >= 5 and statuses[:30].count(429) <= 1, statuses


async def test_rest_writes_are_limited_per_user(client, make_user):
    await make_user("admin")
    alice, bob = await make_user("alice"), await make_user("bob")
    refused = None
    for n in range(60):
        resp = await client.post(
            "/api/v1/chatroom/rooms", json={"name": f"r{n}"}, headers=alice.headers
        )
        if resp.status == 429:
            refused = resp
            break
    assert refused is not None
    assert refused.headers["Retry-After"] == "1"
    await assert_error(refused, 429, "v1")
    resp = await client.post("/api/v1/chatroom/rooms", json={"name": "bob's"}, headers=bob.headers)
    assert resp.status == 200, await resp.text()


async def test_typing_and_reactions_floods_are_refused(client, make_user):
    await make_user("admin")
    alice = await make_user("alice")
    room = await make_room(client, alice)
    ws = await connect(client, alice, room)
    for _ in range(40):
        await ws.send_json({"type": "typing", "is_typing": True})
    frame = await next_frame(ws, "error")
    assert "typing" in frame["message"]
    message = await (
        await client.post(
            f"/api/chat/rooms/{room['id']}/messages/",
            json={"content": "react"},
            headers=alice.headers,
        )
    ).json()
    statuses = set()
    for _ in range(30):
        resp = await client.post(
            f"/api/chat/messages/{message['id']}/reactions/",
            json={"emoji": ":+1:"},
            headers=alice.headers,
        )
        statuses.add(resp.status)
        await resp.read()
    assert 429 in statuses
    await ws.close()


async def test_uploads_are_limited(client, make_user):
    await make_user("admin")
    alice = await make_user("alice")
    statuses = [
        (await upload(client, alice, f"p{n}.png", png(), "image/png")).status for n in range(5)
    ]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:], statuses


async def test_a_bucket_refills_at_its_rate():
    now = [0.0]
    limiter = RateLimiter({"messages": Rate(2.0, 3)}, MemoryBuckets(clock=lambda: now[0]))
    for _ in range(3):
        await limiter.check(1, "messages")
    with pytest.raises(TooManyRequests) as refused:
        await limiter.check(1, "messages")
    assert refused.value.retry_after == 1
    await limiter.check(2, "messages")  # another user has a bucket of their own
    now[0] = 0.5
    await limiter.check(1, "messages")
    with pytest.raises(TooManyRequests):
        await limiter.check(1, "messages")


async def test_a_rate_of_zero_turns_a_limit_off():
    limiter = RateLimiter({"messages": Rate(0.0, 1)})
    for _ in range(1000):
        await limiter.check(1, "messages")


def test_rates_come_from_the_environment():
    settings = load_settings(
        env={"CHAT_RATE_MESSAGES": "20:50", "CHAT_RATE_TYPING": "0", "CHAT_RATE_UPLOADS": "2"}
    )
    assert settings.rate_messages == (20.0, 50)
    assert settings.rate_typing[0] == 0
    assert settings.rate_uploads == (2.0, 6)
    assert Settings().rate_messages == (10.0, 30)
    with pytest.raises(SettingsError, match="CHAT_RATE_WRITES"):
        load_settings(env={"CHAT_RATE_WRITES": "fast"})
