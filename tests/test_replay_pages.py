"""A resume (?since=) replays exactly what was missed, in order and once, whether it fits
the short first page or runs on over further pages; and the usual short resume does
not ask whether it fits (one round trip fewer to the replay connection's thread, where
a reconnect storm's thousands of resumes queue)."""

from __future__ import annotations

import asyncio

from chat.core.conversation import messages
from chat.db.users import user_by_id
from chat.web.replay import FIRST_PAGE, PAGE
from tests.helpers import make_room, next_frame, no_frame
from tests.pgcluster import both_engines

STORED = FIRST_PAGE + PAGE + 5


async def store(client, core, person, count: int) -> tuple[dict, list[int]]:
    room = await make_room(client, person, name="resume")
    user = await user_by_id(core.db.reader, person.id)
    for start in range(0, count, 100):  # in order: the ids are the sending order
        await asyncio.gather(
            *(
                messages.send(core, user, room["id"], f"m{n}")
                for n in range(start, min(start + 100, count))
            )
        )
    rows = await core.db.fetch_all(
        "SELECT id FROM messages WHERE room_id = ? AND message_type = 'text' ORDER BY id",
        (room["id"],),
    )
    return room, [row[0] for row in rows]


async def resumed(client, person, room, since: int, count: int) -> tuple[object, list[int]]:
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={person.token}&since={since}")
    await next_frame(ws, "connection_established")
    got = [(await next_frame(ws, "chat_message"))["message"]["id"] for _ in range(count)]
    return ws, got


@both_engines
async def test_a_resume_replays_every_missed_message_once_in_order(
    client, core, alice, database_url
):
    room, ids = await store(client, core, alice, STORED)
    for missed in (1, FIRST_PAGE - 1, FIRST_PAGE, FIRST_PAGE + 1, STORED):
        since = ids[-missed - 1] if missed < len(ids) else ids[0] - 1
        ws, got = await resumed(client, alice, room, since, missed)
        assert got == ids[-missed:], missed
        await no_frame(ws, "chat_message", wait=0.1)  # nothing twice
        await ws.close()
    ws, _ = await resumed(client, alice, room, ids[-1], 0)
    await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "live"}, headers=alice.headers
    )
    assert (await next_frame(ws, "chat_message"))["message"]["content"] == "live"
    await ws.close()


async def test_only_a_long_resume_asks_whether_it_fits(client, core, alice):
    room, ids = await store(client, core, alice, FIRST_PAGE + 1)
    statements: list[str] = []
    await core.db.replays.set_trace_callback(statements.append)
    try:
        for missed in (0, 3, FIRST_PAGE - 1):
            ws, got = await resumed(client, alice, room, ids[-missed - 1], missed)
            assert got == ids[len(ids) - missed :]
            await ws.close()
        assert statements and not [s for s in statements if "COUNT(*)" in s]
        ws, got = await resumed(client, alice, room, ids[0] - 1, FIRST_PAGE + 1)
        assert got == ids
        await ws.close()
        assert len([s for s in statements if "COUNT(*)" in s]) == 1
    finally:
        await core.db.replays.set_trace_callback(None)
