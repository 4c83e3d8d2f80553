"""The storage interface both engines implement: placeholders, rows and cursors, the
event log's sequence numbers under two writers, bounded reads, and (PostgreSQL) a
server that drops its connections."""

from __future__ import annotations

import asyncio
import math

import pytest

from chat.app import create_app
from chat.core import storage_error
from chat.db import Database, event_log
from chat.db.errors import IntegrityError, ReadBudgetSpent, UnstorableText, storage_failure
from chat.db.placeholders import translate
from chat.errors import BadInput, Unavailable
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS
from tests.pgcluster import both_engines

INSERT_USER = """INSERT INTO users (username, username_key, display_name, created_at, updated_at)
                  VALUES (:name, :key, :name, '', '') RETURNING id"""
COUNT_FOREVER = """WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
                   SELECT COUNT(*) FROM n"""


async def opened(target) -> Database:
    db = Database(target)
    await db.open()
    return db


def test_question_marks_become_numbered_parameters():
    assert translate("SELECT a FROM t WHERE b = ? AND c > ?").sql == (
        "SELECT a FROM t WHERE b = $1 AND c > $2"
    )
    assert translate("SELECT ? ").arguments((7,)) == [7]


def test_names_become_numbers_in_order_of_first_use_and_repeat():
    statement = translate("UPDATE t SET a = :a, b = :b WHERE a <> :a")
    assert statement.sql == "UPDATE t SET a = $1, b = $2 WHERE a <> $1"
    assert statement.arguments({"b": 2, "a": 1, "unused": 3}) == [1, 2]


def test_literals_quoted_names_comments_and_casts_are_left_alone():
    sql = """SELECT 'is it? :no', "odd?col", x::text -- why? :not
             FROM t WHERE y = ? AND z = 'it''s ?'"""
    statement = translate(sql)
    assert statement.count == 1
    assert statement.sql == sql.replace("y = ?", "y = $1")


def test_wrong_parameters_are_refused():
    with pytest.raises(ValueError):
        translate("SELECT ? WHERE a = :a")
    with pytest.raises(TypeError):
        translate("SELECT ?, ?").arguments((1,))
    with pytest.raises(KeyError):
        translate("SELECT :a").arguments({"b": 1})


@both_engines
async def test_rows_and_cursors_answer_as_the_query_code_expects(database):
    db = await opened(database)
    try:

        async def job(conn):
            cursor = await conn.execute(INSERT_USER, {"name": "Alice", "key": "alice"})
            assert cursor.lastrowid == 1
            await conn.executemany(
                INSERT_USER.replace(" RETURNING id", ""),
                [{"name": "Bob", "key": "bob"}, {"name": "Carol", "key": "carol"}],
            )
            changed = await conn.execute("UPDATE users SET is_admin = 1 WHERE id > ?", (1,))
            missed = await conn.execute("DELETE FROM users WHERE id = ?", (99,))
            cursor = await conn.execute("SELECT username FROM users ORDER BY id")
            first, rest = cursor.fetchone()[0], [tuple(r) for r in cursor.fetchall()]
            return changed.rowcount, missed.rowcount, first, rest

        assert await db.write(job) == (2, 0, "Alice", [("Bob",), ("Carol",)])
        row = await db.fetch_one("SELECT id, username, is_admin FROM users WHERE id = ?", (2,))
        assert (row["username"], row[0], row[2]) == ("Bob", 2, 1)
        assert list(row.keys()) == ["id", "username", "is_admin"]
        assert dict(row) == {"id": 2, "username": "Bob", "is_admin": 1}
        assert (await db.lookups.execute_fetchall("SELECT COUNT(*) FROM users"))[0][0] == 3
    finally:
        await db.close()


@both_engines
async def test_a_broken_constraint_is_one_integrity_error_on_either_engine(database):
    db = await opened(database)
    try:

        async def twice(conn):
            await conn.execute(INSERT_USER, {"name": "Alice", "key": "alice"})
            try:
                async with conn.attempt():
                    await conn.execute(INSERT_USER, {"name": "ALICE", "key": "alice"})
            except IntegrityError:
                pass
            # The job goes on after the refusal (PostgreSQL would have aborted it).
            await conn.execute(INSERT_USER, {"name": "Bob", "key": "bob"})

        await db.write(twice)
        names = await db.fetch_all("SELECT username FROM users ORDER BY id")
        assert [row[0] for row in names] == ["Alice", "Bob"]
    finally:
        await db.close()


@both_engines
async def test_two_writers_on_one_database_number_a_stream_without_gaps(database):
    """Two Database objects (two hosts' processes) appending to one room's stream at
    once: every number once, none skipped, each payload under its own number."""
    first, second = await opened(database), await opened(database)
    try:

        def append(n: int):
            async def job(conn):
                return await event_log.append(conn, 7, f"event {n}")

            return job

        seqs = await asyncio.gather(
            *(db.write(append(n)) for n in range(60) for db in (first, second))
        )
        assert sorted(seqs) == list(range(1, 121))
        logged = await event_log.after(first.reader, 7, 0, 500)
        assert [seq for seq, _ in logged] == list(range(1, 121))
        assert len({payload for _, payload in logged}) == 60  # each n from both writers
    finally:
        await first.close()
        await second.close()


@both_engines
async def test_a_bounded_read_past_its_budget_is_stopped_and_the_connection_reused(database):
    db = await opened(database)
    try:
        with pytest.raises(ReadBudgetSpent):
            async with db.bounded_read(0.2) as conn:
                await conn.execute_fetchall(COUNT_FOREVER, (2 * 10**9,))
        for _ in range(4):  # every pooled connection still works, without a deadline
            async with db.bounded_read(5) as conn:
                assert (await conn.execute_fetchall(COUNT_FOREVER, (1000,)))[0][0] == 1000
                assert getattr(conn, "deadline", math.inf) > 0
    finally:
        await db.close()


def test_the_health_probe_writes_on_either_engine_through_one_statement():
    """probe_write is an upsert both engines run (INSERT OR REPLACE is SQLite's only)."""
    import inspect

    assert "OR REPLACE" not in inspect.getsource(Database.probe_write)


async def terminate_others(pg_cluster, url: str) -> None:
    """What a PostgreSQL restart does to a process's connections: all dropped."""
    name = url.rsplit("/", 1)[1]
    await asyncio.to_thread(
        pg_cluster.sql,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE datname = '{name}' AND pid <> pg_backend_pid()",
    )


async def test_postgresql_dropping_every_connection_fails_one_batch_cleanly_then_recovers(
    pg_cluster,
):
    url = pg_cluster.fresh_database()
    db = await opened(url)
    try:

        async def add(conn):
            return (await conn.execute(INSERT_USER, {"name": "x", "key": "x"})).lastrowid

        await db.write(add)
        await terminate_others(pg_cluster, url)
        # Reads are retried once on a new connection: the restart is not seen.
        assert (await db.fetch_one("SELECT COUNT(*) FROM users"))[0] == 1

        async def slow_rename(conn):
            await conn.execute("UPDATE users SET display_name = 'y'")
            await conn.execute_fetchall("SELECT pg_sleep(2)")

        pending = asyncio.ensure_future(db.write(slow_rename))
        await asyncio.sleep(0.5)
        await terminate_others(pg_cluster, url)  # in the middle of the batch
        with pytest.raises(Exception) as failed:
            await pending
        assert storage_failure(failed.value) == "database_unavailable"
        assert db.write_failure == "database_unavailable"
        error = storage_error(failed.value)
        assert isinstance(error, Unavailable) and error.key == "database_unavailable"
        assert (await db.fetch_one("SELECT display_name FROM users"))[0] == "x"

        async def rename(conn):
            await conn.execute("UPDATE users SET display_name = 'z'")

        await db.write(rename)  # the writer reconnects for the next batch
        assert db.write_failure is None
        assert (await db.fetch_one("SELECT display_name FROM users"))[0] == "z"
    finally:
        await db.close()


async def test_an_unreachable_postgresql_is_database_unavailable(pg_cluster):
    url = pg_cluster.url("x").replace(f":{pg_cluster.port}/", ":1/")  # nothing listens
    with pytest.raises(Exception) as failed:
        await opened(url)
    assert storage_failure(failed.value) == "database_unavailable"


async def test_text_with_a_nul_is_refused_before_postgresql_aborts_the_job(pg_cluster):
    """PostgreSQL's text cannot hold U+0000: refused by the adapter (a 400 through
    storage_error), and the job goes on as it would on SQLite."""
    db = await opened(pg_cluster.fresh_database())
    try:

        async def job(conn):
            with pytest.raises(UnstorableText):
                await conn.execute("SELECT id FROM rooms WHERE slug = ?", ("glo\x00bal",))
            return (await conn.execute_fetchall("SELECT slug FROM rooms"))[0][0]

        assert await db.write(job) == "global"
        error = storage_error(UnstorableText("x"))
        assert isinstance(error, BadInput) and error.status == 400
    finally:
        await db.close()


async def test_a_request_postgresql_cannot_serve_answers_503_and_the_next_one_is_served(
    pg_cluster, aiohttp_client, tmp_path
):
    """The app connects as an ordinary role; when that role can no longer connect (as
    when the server is down or full), a read answers 503 database_unavailable in the
    route's error shape, not a 500, and the server recovers without a restart."""
    url = pg_cluster.fresh_database()
    name = url.rsplit("/", 1)[1]
    role = f"app_{name}"
    pg_cluster.sql(f"CREATE ROLE {role} LOGIN", name)
    pg_cluster.sql(
        f"GRANT ALL ON SCHEMA public TO {role}; GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};"
        f" GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}",
        name,
    )
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=url.replace("postgres@", f"{role}@"),
        **NO_RATE_LIMITS,
    )
    client = await aiohttp_client(create_app(settings))
    login = {"username": "nobody", "password": "wrong password"}
    assert (await client.post("/api/auth/login", json=login)).status == 401
    pg_cluster.sql(f"ALTER ROLE {role} CONNECTION LIMIT 0")
    await terminate_others(pg_cluster, url)
    resp = await client.post("/api/auth/login", json=login)
    assert resp.status == 503, await resp.text()
    assert "database" in (await resp.json())["detail"]
    pg_cluster.sql(f"ALTER ROLE {role} CONNECTION LIMIT -1")
    assert (await client.post("/api/auth/login", json=login)).status == 401
