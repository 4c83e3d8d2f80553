"""The lean live path: seats authorize frames, typing bursts are coalesced, large rooms
hear presence in summaries, and a resume too far back is told to refetch."""

from __future__ import annotations

import asyncio

import pytest

from chat.core.conversation import messages
from chat.db import rooms as room_sql
from chat.db.users import user_by_id
from chat.errors import Forbidden
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, closed_with, connect, make_room, next_frame, no_frame


@pytest.fixture
async def room(client, alice, bob):
    room = await make_room(client, alice, name="live")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    assert resp.status in (200, 201), await resp.text()
    return room


async def test_a_typing_burst_closes_nobody_and_reaches_others_coalesced(
    client, alice, bob, make_user, room
):
    carol = await make_user("carol")
    ws_a = await connect(client, alice, room)
    ws_b = await connect(client, bob, room)
    ws_c = await connect(client, carol, room)
    typing = {"b": 0, "c": 0}

    async def keep_reading(ws, name):
        async for msg in ws:
            if '"typing"' in msg.data:
                typing[name] += 1

    readers = [
        asyncio.create_task(keep_reading(ws_b, "b")),
        asyncio.create_task(keep_reading(ws_c, "c")),
    ]
    frame = '{"type":"typing","is_typing":true}'
    for _ in range(10_000):
        await ws_a.send_str(frame)
    await asyncio.sleep(1.5)
    await ws_a.send_json({"type": "chat_message", "content": "after the burst"})
    await asyncio.sleep(0.5)
    assert not ws_b.closed and not ws_c.closed
    # One frame when typing starts, at most a refresh a second after: never thousands.
    assert 1 <= typing["b"] <= 3 and 1 <= typing["c"] <= 3, typing
    for task in readers:
        task.cancel()
    for ws in (ws_a, ws_b, ws_c):
        await ws.close()


async def test_typing_stops_are_told_once_the_interval_passes(client, alice, bob, room):
    ws_a = await connect(client, alice, room)
    ws_b = await connect(client, bob, room)
    for is_typing in (True, False, True, False):
        await ws_a.send_json({"type": "typing", "is_typing": is_typing})
    first = await next_frame(ws_b, "typing")
    assert first["is_typing"] is True
    await no_frame(ws_b, "typing", wait=0.5)
    last = await next_frame(ws_b, "typing", timeout=2)
    assert last["is_typing"] is False  # the latest state, a second later
    for ws in (ws_a, ws_b):
        await ws.close()


async def test_a_mute_reaches_the_open_socket_and_an_unmute_lifts_it(client, alice, bob, room):
    ws_b = await connect(client, bob, room)
    url = f"/api/chat/rooms/{room['id']}/members/{bob.id}/"
    assert (await client.patch(url, json={"is_muted": True}, headers=alice.headers)).status == 200
    await ws_b.send_json({"type": "chat_message", "content": "shh"})
    await next_frame(ws_b, "error")
    assert (await client.patch(url, json={"is_muted": False}, headers=alice.headers)).status == 200
    await ws_b.send_json({"type": "chat_message", "content": "back"})
    assert (await next_frame(ws_b, "chat_message"))["message"]["content"] == "back"
    await ws_b.close()


async def test_a_ban_closes_the_room_socket(client, alice, bob, room):
    ws_b = await connect(client, bob, room)
    url = f"/api/chat/rooms/{room['id']}/members/{bob.id}/"
    assert (await client.patch(url, json={"is_banned": True}, headers=alice.headers)).status == 200
    await closed_with(ws_b, 4003)


async def test_the_seat_is_checked_when_the_write_runs(core, alice, bob, room):
    """A send already on its way when its seat is taken away stores nothing."""
    the_room = await room_sql.room_by_id(core.db.reader, room["id"])
    user = await user_by_id(core.db.reader, bob.id)

    def seat_gone():
        raise Forbidden("not_a_member")

    with pytest.raises(Forbidden):
        await messages.send_seated(core, user, the_room, seat_gone, "late")
    assert await core.db.fetch_one("SELECT 1 FROM messages WHERE content = 'late'") is None


@pytest.mark.parametrize("dialect", ["channels", "v1"])
async def test_a_since_beyond_the_bounded_replay_gets_history_gap(
    client, core, alice, room, dialect
):
    the_room = await room_sql.room_by_id(core.db.reader, room["id"])
    user = await user_by_id(core.db.reader, alice.id)
    await asyncio.gather(
        *(messages.send(core, user, room["id"], f"m{i}") for i in range(messages.REPLAY_LIMIT + 1))
    )
    first = (
        await core.db.fetch_one(
            "SELECT MIN(id) FROM messages WHERE room_id = ? AND message_type = 'text'",
            (the_room.id,),
        )
    )[0]
    since = first - 1
    if dialect == "v1":
        ws = await client.ws_connect(
            f"/api/v1/chatroom/ws/{room['id']}/{alice.token}?since={since}"
        )
    else:
        ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}&since={since}")
    gap = await next_frame(ws, "history_gap")
    assert gap["room_id"] == room["id"] and gap["since"] == since
    assert gap["replay_limit"] == messages.REPLAY_LIMIT
    kind = "message" if dialect == "v1" else "chat_message"
    await no_frame(ws, kind)  # no replay
    # One message fewer fits: replayed in full.
    ws2 = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}&since={first}")
    await next_frame(ws2, "connection_established")
    got = [
        (await next_frame(ws2, "chat_message"))["message"]["id"]
        for _ in range(messages.REPLAY_LIMIT)
    ]
    assert len(set(got)) == messages.REPLAY_LIMIT
    for w in (ws, ws2):
        await w.close()


@pytest.fixture
def settings(tmp_path):
    return Settings(
        data_dir=tmp_path / "data",
        heartbeat_seconds=5.0,
        presence_coalesce_above=3,
        **NO_RATE_LIMITS,
    )


async def test_small_rooms_hear_each_join_large_rooms_a_summary_a_second(
    client, alice, bob, make_user, room
):
    others = [await make_user(f"user{i}") for i in range(4)]
    ws_a = await connect(client, alice, room)
    ws_b = await connect(client, bob, room)
    while (await next_frame(ws_a, "user_join"))["user"]["id"] != bob.id:
        pass  # its own join comes first
    sockets = [await connect(client, person, room) for person in others]
    # From the fourth socket on, the room is large: joins come as one summary.
    summary = await next_frame(ws_a, "presence", timeout=3)
    assert summary["online_count"] == 6
    assert {u["id"] for u in summary["joined"]} >= {p.id for p in others[1:]}
    assert summary["left"] == []
    hello = await client.ws_connect(f"/ws/chat/{room['id']}/?token={others[0].token}")
    greeting = await next_frame(hello, "connection_established")
    assert len(greeting["online_users"]) == 3 and greeting["online_count"] == 6
    await hello.close()
    await no_frame(ws_a, "user_join", wait=0.3)
    for ws in sockets:
        await ws.close()
    summary = await next_frame(ws_a, "presence", timeout=3)
    assert summary["online_count"] == 2
    assert {u["id"] for u in summary["left"]} == {p.id for p in others}
    for ws in (ws_a, ws_b):
        await ws.close()


class RecordingSink:
    """The socket side of a Connection: records which loop turn wrote to it."""

    def __init__(self, log: list, name: int):
        self.log, self.name = log, name

    def ready(self) -> bool:
        return True

    def behind_for(self) -> float:
        return 0.0

    def write(self, batch: list[str]) -> None:
        self.log.append(self.name)

    def hang_up(self, code: int) -> None:
        pass


async def test_a_fan_out_writes_the_author_first_then_a_slice_per_loop_turn():
    """The sender's echo (its acknowledgement) goes out before the rest of the room,
    and a big room is written FLUSH_SLICE sockets per turn, so the loop reads the
    sender's next frame in between; every socket still gets the message once."""
    from chat.events import MessagePosted
    from chat.hub import FLUSH_SLICE, Hub
    from chat.live.client import Connection, Seat
    from chat.models import Message, Room, User
    from chat.wire.channels.socket import DIALECT

    hub, written = Hub(), []
    room = Room(1, "big", "big", "", "public", False, None, True, None, "", "")
    sockets = 3 * FLUSH_SLICE + 5
    users = [User(n, f"u{n}", f"u{n}", None, False) for n in range(sockets)]
    for user in users:
        conn = Connection(user, DIALECT, 100, lambda conn: None)
        conn.seats[room.id] = Seat(room)
        hub.attach(conn)
        conn.sink = RecordingSink(written, user.id)
    author = users[sockets // 2]
    hub.publish(
        MessagePosted(
            room.id,
            Message(
                7,
                room.id,
                room.slug,
                room.name,
                author,
                "text",
                "hello",
                None,
                None,
                None,
                None,
                None,
                None,
                False,
                False,
                "",
                "",
            ),
        )
    )
    turns = []
    while len(written) < sockets and len(turns) < sockets:
        await asyncio.sleep(0)
        turns.append(len(written))
    assert written[0] == author.id
    assert sorted(written) == list(range(sockets))  # each once
    assert turns[0] <= FLUSH_SLICE + 1  # the author, then one slice
    assert len(turns) == -(-sockets // FLUSH_SLICE)
