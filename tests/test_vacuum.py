"""`server.py vacuum` gives deleted messages' space back, and refuses while a server runs."""

from __future__ import annotations

import asyncio

import pytest

from chat.db import Database
from tests.serverproc import ServerProcess, run_cli

pytestmark = pytest.mark.slow


async def grow_and_delete(path) -> None:
    """A database with about 4 MB of messages that were then deleted."""
    db = Database(path)
    await db.open()
    try:

        async def fill(conn):
            await conn.executemany(
                """INSERT INTO messages (room_id, content, created_at, updated_at)
                   VALUES (1, ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')""",
                [(f"{n} " + "x" * 2000,) for n in range(2000)],
            )

        await db.write(fill)

        async def empty(conn):
            # The delete trigger tells the search index of the rows the indexer already
            # took (it may or may not have run since `fill`); emptying the index before
            # that would make it forget rows twice ("database disk image is malformed").
            await conn.execute("DELETE FROM messages")
            await conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('delete-all')")

        await db.write(empty)
    finally:
        await db.close()


def test_vacuum_shrinks_the_database_and_refuses_while_a_server_runs(tmp_path):
    data = tmp_path / "data"
    with ServerProcess(data):
        refused = run_cli(data, "vacuum")
        assert refused.returncode == 1, refused.stdout
        assert "a Teahouse server is running" in refused.stderr and "stop it" in refused.stderr
    asyncio.run(grow_and_delete(data / "teahouse.db"))
    done = run_cli(data, "vacuum")
    assert done.returncode == 0, done.stderr
    before, after = [int(word) for word in done.stdout.split() if word.isdigit()]
    assert before > 4_000_000 and after < 1_000_000, done.stdout
    with ServerProcess(data):  # and the server starts on it again
        pass


def test_vacuum_without_a_database_says_so(tmp_path):
    (tmp_path / "data").mkdir()
    done = run_cli(tmp_path / "data", "vacuum")
    assert done.returncode == 1 and "no Teahouse database" in done.stderr
    assert not (tmp_path / "data" / "teahouse.db").exists()
