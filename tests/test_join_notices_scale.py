"""Join notices at scale (issue 27): a burst of joins is one notice, counts no unread
and raises no badge; two processes on one database write it once; a crowd of first
contacts is one write each, batched into few commits."""

import asyncio

import aiohttp
import pytest

from chat.app import create_app
from chat.keys import core_key
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, make_room, next_frame, register
from tests.test_backplane import redis_server, shared_settings  # noqa: F401 (a fixture)
from tests.test_join_notices import newcomer

INTERVAL = 4.0  # a hundred joins fit in it even on a loaded machine


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        heartbeat_seconds=5.0,
        join_notice_threshold=3,
        join_notice_interval=INTERVAL,
        max_connections_per_address=0,
        **NO_RATE_LIMITS,
    )


async def system_messages(client, reader, room) -> list[dict]:
    resp = await client.get(
        f"/api/chat/rooms/{room['id']}/messages/?page_size=200", headers=reader.headers
    )
    return [m for m in (await resp.json())["messages"] if m["message_type"] == "system"]


async def until_lines(client, reader, room, count: int, timeout: float) -> list[dict]:
    for _ in range(int(timeout / 0.1)):
        if len(found := await system_messages(client, reader, room)) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{len(found)} system lines, wanted {count}")


async def crowd_joins(client, core, room, count: int, first_id: int = 5000) -> list:
    people = [newcomer(core, first_id + i, f"n{i:03d}") for i in range(count)]
    answers = await asyncio.gather(
        *(client.post(f"/api/chat/rooms/{room['id']}/join/", headers=p.headers) for p in people)
    )
    assert {resp.status for resp in answers} == {200}
    return people


async def test_a_hundred_joins_in_a_second_make_one_coalesced_notice(client, core, alice):
    room = await make_room(client, alice, name="big", max_members=None)
    ws = await client.ws_connect(f"/ws/user/?token={alice.token}")
    await next_frame(ws, "connection_established")
    people = await crowd_joins(client, core, room, 100)
    lines = await until_lines(client, alice, room, 4, INTERVAL + 5)
    await asyncio.sleep(1.0)
    lines = await system_messages(client, alice, room)
    # the room had 1, 2, 3 members for the first three: one line each; then one for 97
    assert len(lines) == 4, [m["content"] for m in lines]
    assert lines[-1]["content"].endswith(" and 95 more joined the room")
    for person in people[:5]:  # membership frames still name everyone who goes
        await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=person.headers)
    gone = {(await next_frame(ws, "member_left"))["user"]["id"] for _ in range(5)}
    assert gone == {person.id for person in people[:5]}
    await ws.close()


async def test_notices_above_the_threshold_raise_no_unread_count_and_no_badge(
    client, core, alice, bob
):
    room = await make_room(client, alice, name="big", max_members=None)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await crowd_joins(client, core, room, 60)
    await until_lines(client, alice, room, 4, INTERVAL + 5)
    resp = await client.get("/api/chat/rooms/", headers=bob.headers)
    listing = next(r for r in await resp.json() if r["id"] == room["id"])
    assert listing["unread_count"] == 0 and listing["mention_count"] == 0
    resp = await client.get("/api/chat/notifications/unread_count/", headers=bob.headers)
    assert (await resp.json())["unread_count"] == 0
    assert len(await system_messages(client, alice, room)) == 4  # not 61


async def test_two_processes_on_one_database_write_one_notice(
    aiohttp_client, client, core, settings, alice
):
    """Each process runs the flusher; the waiting rows are taken in a write transaction."""
    other = await aiohttp_client(create_app(settings))
    room = await make_room(client, alice, name="big", max_members=None)
    await crowd_joins(client, core, room, 20)
    await crowd_joins(other, other.server.app[core_key], room, 20, first_id=6000)
    await until_lines(client, alice, room, 4, INTERVAL + 5)
    await asyncio.sleep(INTERVAL / 2)
    lines = await system_messages(client, alice, room)
    assert len(lines) == 4 and lines[-1]["content"].endswith(" and 35 more joined the room")


async def test_over_redis_two_processes_deliver_the_one_notice(
    aiohttp_client, tmp_path, redis_server
):  # noqa: F811
    settings = shared_settings(
        tmp_path, redis_server, join_notice_threshold=3, join_notice_interval=INTERVAL
    )
    a, b = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
    alice = await register(a, "alice")
    room = await make_room(a, alice, name="big", max_members=None)
    ws = await b.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}")
    await next_frame(ws, "connection_established")
    await crowd_joins(a, a.server.app[core_key], room, 20)
    await crowd_joins(b, b.server.app[core_key], room, 20, first_id=6000)
    lines = []
    while len(lines) < 4:
        frame = await next_frame(ws, "chat_message", INTERVAL + 6)
        if frame["message"]["message_type"] == "system":
            lines.append(frame["message"]["content"])
    assert lines[-1].endswith(" and 35 more joined the room")
    with pytest.raises(asyncio.TimeoutError):  # and no second line from the other process
        await next_frame(ws, "chat_message", INTERVAL / 2)
    await ws.close()


async def test_first_contacts_arriving_at_once_are_one_write_each_in_few_commits(client, core):
    """200 newcomers with external tokens open sockets in global at once: each costs
    one write (created and joined together), and the writes share commits."""
    batches = []
    core.db.on_batch = lambda jobs, seconds: batches.append(jobs)
    people = [newcomer(core, 8000 + i, f"first{i}") for i in range(200)]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def first_contact(person):
            ws = await session.ws_connect(client.make_url(f"/ws/chat/global/?token={person.token}"))
            await next_frame(ws, "connection_established", timeout=30)
            return ws

        sockets = await asyncio.gather(*(first_contact(p) for p in people))
        await asyncio.gather(*(ws.close() for ws in sockets))
    jobs, commits = sum(batches), len(batches)
    assert jobs <= 200 + 20, (jobs, commits)  # before: two each (create, then join)
    assert commits <= 50, (jobs, commits)
    resp = await client.get("/api/chat/rooms/global/", headers=people[0].headers)
    assert (await resp.json())["member_count"] >= 200
