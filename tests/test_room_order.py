"""A room's message ids follow its commit order even when several hosts' writers insert
into it at once: `?since=<id>` resumes after everything below that id, so an id handed
out before a later one commits would be skipped by a client that resumes between."""

from __future__ import annotations

import asyncio
import time

import pytest

from chat.core import storage_error
from chat.db import Database, postgres_engine
from chat.errors import Unavailable
from tests.pgcluster import both_engines

INSERT = """INSERT INTO messages (room_id, message_type, content, created_at, updated_at)
            VALUES (1, 'text', ?, '', '') RETURNING id"""


async def opened(target) -> Database:
    db = Database(target)
    await db.open()
    return db


@both_engines
async def test_a_rooms_ids_follow_commit_order_across_two_writers(database):
    """Host A's batch holds the room (its first message) while host B's message waits
    for it; A's second message then commits before B's, so it must have the lower id."""
    first, second = await opened(database), await opened(database)
    try:
        holding, go_on = asyncio.Event(), asyncio.Event()

        async def batch_of_a(conn):
            ids = [(await conn.execute_fetchall(INSERT, ("a1",)))[0][0]]
            holding.set()
            await go_on.wait()
            ids.append((await conn.execute_fetchall(INSERT, ("a2",)))[0][0])
            return ids

        async def message_of_b(conn):
            return (await conn.execute_fetchall(INSERT, ("b1",)))[0][0]

        on_a = asyncio.create_task(first.write(batch_of_a))
        await holding.wait()
        on_b = asyncio.create_task(second.write(message_of_b))
        await asyncio.sleep(0.5)  # B's insert is waiting (for the room, or SQLite's lock)
        go_on.set()
        a_ids, b_id = await on_a, await on_b
        assert a_ids[0] < a_ids[1] < b_id
        rows = await first.fetch_all("SELECT content FROM messages WHERE room_id = 1 ORDER BY id")
        assert [row[0] for row in rows][-3:] == ["a1", "a2", "b1"]
    finally:
        await first.close()
        await second.close()


async def test_two_writers_crossing_two_rooms_lose_one_job_as_a_503_not_a_500(pg_cluster):
    """Host A's batch writes room 1 then room 2 while host B's writes room 2 then room 1:
    PostgreSQL breaks the deadlock by failing one of them. That job is a 503 its client
    retries (with its client_id), not a 500 with a traceback; the other commits."""
    url = pg_cluster.fresh_database()
    first, second = await opened(url), await opened(url)
    try:
        await first.write(
            lambda conn: conn.execute(
                """INSERT INTO rooms (slug, name, room_type, created_at, updated_at)
                   VALUES ('second', 'Second', 'public', '', '')"""
            )
        )
        both_hold = asyncio.Barrier(2)

        def crossing(rooms: tuple[int, int]):
            async def job(conn):
                await conn.execute(INSERT.replace("VALUES (1,", "VALUES (?,"), (rooms[0], "x"))
                await both_hold.wait()
                await conn.execute(INSERT.replace("VALUES (1,", "VALUES (?,"), (rooms[1], "y"))

            return job

        outcomes = await asyncio.gather(
            first.write(crossing((1, 2))), second.write(crossing((2, 1))), return_exceptions=True
        )
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(failed) == 1, outcomes
        error = storage_error(failed[0])
        assert isinstance(error, Unavailable) and error.key == "database_busy"
        assert error.status == 503
    finally:
        await first.close()
        await second.close()
        pg_cluster.drop_database(url)


async def test_a_writer_gone_silent_mid_batch_frees_the_room_after_its_idle_timeout(
    pg_cluster, monkeypatch
):
    """A host that vanishes with a batch open (power, a cut network) closes nothing;
    PostgreSQL ends its writer's session after WRITER_IDLE_SECONDS instead of keeping
    the room locked for hours, and another host's write to the room goes through.
    The vanished batch is not stored; its writer finds the session gone (503)."""
    monkeypatch.setattr(postgres_engine, "WRITER_IDLE_SECONDS", 1)
    url = pg_cluster.fresh_database()
    silent, other = await opened(url), await opened(url)
    try:
        holding, wakes = asyncio.Event(), asyncio.Event()

        async def batch_then_silence(conn):
            await conn.execute_fetchall(INSERT, ("never stored",))
            holding.set()
            await wakes.wait()  # the host froze here, its transaction open
            await conn.execute_fetchall(INSERT, ("after waking",))

        stalled = asyncio.create_task(silent.write(batch_then_silence))
        await holding.wait()
        started = time.monotonic()
        await asyncio.wait_for(
            other.write(lambda conn: conn.execute_fetchall(INSERT, ("from the other host",))), 15
        )
        assert time.monotonic() - started < 8  # 1 s of idleness and a loaded machine
        wakes.set()
        with pytest.raises(Exception) as failed:
            await stalled
        assert storage_error(failed.value).key == "database_unavailable"
        rows = await other.fetch_all("SELECT content FROM messages WHERE room_id = 1")
        assert [row[0] for row in rows][-1:] == ["from the other host"]
        assert "never stored" not in {row[0] for row in rows}
    finally:
        await silent.close()
        await other.close()
        pg_cluster.drop_database(url)
