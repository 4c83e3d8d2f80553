"""The writer's group commit on both engines, as the round trips to PostgreSQL were cut
(docs/decisions.md, "The write path's round trips"): a job that fails still rolls back
alone, alone in its batch or beside others; a repeated client_id no longer needs a
savepoint; and on PostgreSQL the writer's own statements travel together."""

from __future__ import annotations

import asyncio

import pytest

from chat.core.conversation import messages
from chat.db import Database, event_log
from chat.db import messages as message_sql
from chat.db import rooms as room_sql
from chat.db import users as user_sql
from chat.db.errors import IntegrityError
from tests.pgcluster import both_engines
from tests.test_storage import INSERT_USER, opened


def adding(name: str):
    async def job(conn):
        return (await conn.execute_fetchall(INSERT_USER, (name, name.lower(), name)))[0][0]

    return job


async def failing_after(conn):
    """Writes, then fails: its write must not land."""
    await conn.execute(INSERT_USER, ("ghost", "ghost", "ghost"))
    raise RuntimeError("job failed")


async def usernames(db: Database) -> list[str]:
    return [row[0] for row in await db.fetch_all("SELECT username FROM users ORDER BY id")]


def batch_sizes(db: Database) -> list[int]:
    sizes: list[int] = []
    db.on_batch = lambda jobs, _seconds: sizes.append(jobs)
    return sizes


@both_engines
async def test_a_job_alone_in_its_batch_that_fails_leaves_nothing_and_the_writer_goes_on(
    database,
):
    db = await opened(database)
    try:
        sizes = batch_sizes(db)
        with pytest.raises(RuntimeError):
            await db.write(failing_after)
        with pytest.raises(IntegrityError):  # refused by the database, alone in its batch
            await db.write(adding("Alice"))
            await db.write(adding("ALICE"))
        await db.write(adding("Bob"))
        assert db.write_failure is None
        assert await usernames(db) == ["Alice", "Bob"]
        assert sizes == [1, 1, 1, 1]
    finally:
        await db.close()


@both_engines
async def test_failed_jobs_in_one_batch_roll_back_alone_and_the_others_commit(database):
    db = await opened(database)
    try:
        sizes = batch_sizes(db)
        results = await asyncio.gather(
            db.write(failing_after),  # first: the savepoint opened with BEGIN
            db.write(adding("Alice")),
            db.write(adding("ALICE")),  # the database refuses it mid-batch
            db.write(adding("Bob")),  # right after a refusal: the savepoint was undone
            db.write(failing_after),  # last: COMMIT follows an undone savepoint
            return_exceptions=True,
        )
        assert sizes == [5]
        assert isinstance(results[0], RuntimeError) and isinstance(results[4], RuntimeError)
        assert isinstance(results[2], IntegrityError)
        assert await usernames(db) == ["Alice", "Bob"]
    finally:
        await db.close()


@both_engines
async def test_a_repeated_client_id_is_refused_and_the_job_goes_on_without_a_savepoint(database):
    db = await opened(database)
    try:

        async def job(conn):
            sender = await user_sql.insert_user(conn, "alice", "Alice", None, False)
            room = await room_sql.room_by_ref(conn, "global")

            async def send(content, client_id=None):
                return await message_sql.insert_message(
                    conn, room, sender, "text", content, client_id=client_id
                )

            first = await send("hi", "c")
            with pytest.raises(message_sql.DuplicateClientId):
                await send("again", "c")
            await send("no id")
            await send("no id either")
            return first.id

        first = await db.write(job)
        rows = await db.fetch_all("SELECT id, content FROM messages ORDER BY id")
        assert [row[1] for row in rows] == ["hi", "no id", "no id either"]
        assert rows[0][0] == first
    finally:
        await db.close()


class RoundTrips:
    """What asyncpg sends on the writer's connection (one call, one round trip)."""

    def __init__(self, db: Database):
        self.sent: list[str] = []
        db.engine.writer.raw.add_query_logger(lambda query: self.sent.append(query.query))

    def writer_statements(self) -> list[str]:
        return [sql for sql in self.sent if not sql.startswith("INSERT")]


async def test_the_writer_sends_its_own_statements_together_on_postgresql(pg_cluster):
    """BEGIN with the first savepoint, RELEASE with the next, COMMIT alone (it releases
    the last): a batch of n jobs costs n + 1 round trips of its own, a job alone two."""
    db = await opened(pg_cluster.fresh_database())
    try:
        trips = RoundTrips(db)
        await asyncio.gather(*(db.write(adding(name)) for name in ("a", "b", "c")))
        assert trips.writer_statements() == [
            "BEGIN; SAVEPOINT job",
            "RELEASE SAVEPOINT job; SAVEPOINT job",
            "RELEASE SAVEPOINT job; SAVEPOINT job",
            "COMMIT",
        ]
        assert len(trips.sent) == 7
        trips.sent.clear()
        await db.write(adding("d"))
        assert trips.sent[0] == "BEGIN" and trips.sent[-1] == "COMMIT" and len(trips.sent) == 3
        assert await usernames(db) == ["a", "b", "c", "d"]
    finally:
        await db.close()


async def test_an_event_is_numbered_and_logged_in_one_round_trip_on_postgresql(pg_cluster):
    """With the Redis bus every commit numbers its events (chat/db/event_log.py): one
    statement on PostgreSQL, the stream's row locked until COMMIT as before."""
    db = await opened(pg_cluster.fresh_database())
    try:
        trips = RoundTrips(db)

        async def job(conn):
            return [await event_log.append(conn, 3, f"event {n}") for n in range(2)]

        assert await db.write(job) == [1, 2]
        assert len(trips.sent) == 4  # BEGIN, two events, COMMIT
        assert await event_log.after(db.reader, 3, 0, 10) == [(1, "event 0"), (2, "event 1")]
    finally:
        await db.close()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_message_sent_alone_costs_four_round_trips_on_postgresql(core, make_user):
    """BEGIN, the room with the sender's membership (one statement), the message,
    COMMIT; and a repeated client_id is answered with the stored message."""
    person = await make_user("alice")
    alice = await user_sql.user_by_id(core.db.reader, person.id)
    await messages.send(core, alice, "global", "joined by now")
    trips = RoundTrips(core.db)
    first = await messages.send(core, alice, "global", "hello", client_id="c1")
    assert len(trips.sent) == 4, trips.sent
    again = await messages.send(core, alice, "global", "hello again", client_id="c1")
    assert again.message.id == first.message.id and not again.created
