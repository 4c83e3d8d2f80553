"""Storage: migrations on new and existing data, and online backups under write load."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import sys
import tarfile
import time
from pathlib import Path

import pytest

from chat.db import Database, migrate
from chat.db import handles as connections
from chat.db.errors import IntegrityError
from chat.db.sqlite_engine import backup_file
from tests.pgcluster import both_engines

ROOT = Path(__file__).parents[1]


INSERT_USER = """INSERT INTO users (username, username_key, display_name, created_at, updated_at)
                  VALUES (?, ?, ?, '', '') RETURNING id"""


async def version(db: Database) -> int:
    if db.path is not None:
        return (await db.fetch_one("PRAGMA user_version"))[0]
    return (await db.fetch_one("SELECT version FROM schema_version"))[0]


SQLITE_COLUMNS = """SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p
                    WHERE m.type = 'table' ORDER BY 1, 2"""
POSTGRES_COLUMNS = """SELECT table_name::text, column_name::text, data_type::text
                      FROM information_schema.columns WHERE table_schema = 'public'
                      ORDER BY 1, 2"""


async def columns(db: Database) -> list[tuple]:
    """Every table's columns, on either engine."""
    sql = SQLITE_COLUMNS if db.path is not None else POSTGRES_COLUMNS
    return [tuple(row) for row in await db.fetch_all(sql)]


async def opened(target: Path | str) -> Database:
    db = Database(target)
    await db.open()
    return db


async def add_user(db: Database, name: str) -> int:
    async def job(conn):
        return (await conn.execute_fetchall(INSERT_USER, (name, name, name)))[0][0]

    return await db.write(job)


def test_both_engines_have_the_same_list_of_migrations():
    sqlite = [path.name for _, path in migrate.available_migrations()]
    postgres = [path.name for _, path in migrate.available_migrations("postgres")]
    assert sqlite == postgres
    # Consecutive: a database at version N never runs a file numbered below N, so a
    # branch merged with a number below one already released would be skipped forever.
    numbers = [number for number, _ in migrate.available_migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


@both_engines
async def test_a_new_database_gets_every_migration_and_the_global_room(database):
    db = await opened(database)
    room = await db.fetch_one("SELECT * FROM rooms WHERE slug = 'global'")
    assert await version(db) == migrate.available_migrations()[-1][0]
    await db.close()
    assert room["room_type"] == "public"
    assert room["is_official"] == 1
    assert room["is_active"] == 1


async def test_the_database_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = await opened(tmp_path / "teahouse.db")
    assert (await db.fetch_one("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.fetch_one("PRAGMA foreign_keys"))[0] == 1
    assert (await db.fetch_one("PRAGMA synchronous"))[0] == 2  # FULL
    await db.close()


@both_engines
async def test_a_commit_is_flushed_to_disk_before_it_returns_on_either_engine(database):
    """SQLite: synchronous=FULL under WAL. PostgreSQL: fsync and synchronous_commit on."""
    db = await opened(database)
    if db.path is not None:
        assert (await db.fetch_one("PRAGMA synchronous"))[0] == 2  # FULL
    else:
        assert (await db.fetch_one("SHOW fsync"))[0] == "on"
        assert (await db.fetch_one("SHOW synchronous_commit"))[0] == "on"
    await db.close()


@both_engines
async def test_reopening_a_migrated_database_changes_nothing_and_keeps_the_data(database):
    db = await opened(database)
    await add_user(db, "alice")
    before = await columns(db)
    await db.close()
    for _ in range(2):
        db = await opened(database)
        users = await db.fetch_all("SELECT username FROM users")
        rooms = await db.fetch_all("SELECT slug FROM rooms")
        after = await columns(db)
        await db.close()
        assert [row[0] for row in users] == ["alice"]
        assert [row[0] for row in rooms] == ["global"]
        assert after == before


@pytest.fixture
def migrations_dir(tmp_path, monkeypatch) -> Path:
    """A copy of the real migrations (both engines') that a test may add later ones to."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, folder)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    return folder


def add_migration(migrations_dir: Path, name: str, sql: str) -> None:
    for folder in (migrations_dir, migrations_dir / "postgres"):
        (folder / name).write_text(sql)


@both_engines
async def test_an_existing_database_is_upgraded_in_place_by_a_later_migration(
    database, migrations_dir
):
    db = await opened(database)
    await add_user(db, "alice")
    await db.close()
    number = migrate.available_migrations()[-1][0] + 1
    add_migration(
        migrations_dir,
        f"{number:04d}_add_motto.sql",
        "ALTER TABLE users ADD COLUMN motto TEXT NOT NULL DEFAULT 'hi';",
    )
    db = await opened(database)
    row = await db.fetch_one("SELECT username, motto FROM users")
    assert await version(db) == number
    await db.close()
    assert tuple(row) == ("alice", "hi")


@both_engines
async def test_a_failing_migration_leaves_the_database_as_it_was(database, migrations_dir):
    db = await opened(database)
    await add_user(db, "alice")
    before, number = await columns(db), await version(db)
    await db.close()
    add_migration(
        migrations_dir,
        f"{number + 1:04d}_broken.sql",
        "CREATE TABLE half_done (id INTEGER);\nTHIS IS NOT SQL;",
    )
    with pytest.raises(Exception, match="syntax"):
        await opened(database)
    (migrations_dir / f"{number + 1:04d}_broken.sql").unlink()
    (migrations_dir / "postgres" / f"{number + 1:04d}_broken.sql").unlink()
    db = await opened(database)
    assert await columns(db) == before
    assert await version(db) == number
    await db.close()


@both_engines
async def test_files_that_are_not_numbered_migrations_are_ignored(database, migrations_dir):
    latest = migrate.available_migrations()[-1][0]
    add_migration(migrations_dir, "README.txt", "not a migration")
    add_migration(migrations_dir, "0099-Bad-Name.sql", "THIS IS NOT SQL;")
    db = await opened(database)
    assert await version(db) == latest
    await db.close()


@both_engines
async def test_a_failed_write_job_rolls_back_alone_in_a_shared_commit(database):
    db = await opened(database)

    async def broken(conn):
        await conn.execute(INSERT_USER, ("ghost", "ghost", "ghost"))
        raise RuntimeError("job failed")

    async def duplicate(conn):  # a statement the database refuses, mid-batch
        await conn.execute(INSERT_USER, ("Alice", "alice", "again"))

    results = await asyncio.gather(
        add_user(db, "alice"),
        db.write(broken),
        db.write(duplicate),
        add_user(db, "bob"),
        return_exceptions=True,
    )
    names = [row[0] for row in await db.fetch_all("SELECT username FROM users ORDER BY id")]
    await db.close()
    assert isinstance(results[1], RuntimeError)
    assert isinstance(results[2], IntegrityError)
    assert names == ["alice", "bob"]


class WriteLoad:
    """Writers adding users one commit at a time until stopped."""

    def __init__(self, db: Database, writers: int = 4):
        self.db = db
        self.stop = asyncio.Event()
        self.tasks = [asyncio.create_task(self._write(n)) for n in range(writers)]

    async def _write(self, writer: int) -> int:
        count = 0
        while not self.stop.is_set():
            await add_user(self.db, f"w{writer}_{count}")
            count += 1
            await asyncio.sleep(0)
        return count

    async def finish(self) -> int:
        self.stop.set()
        return sum(await asyncio.gather(*self.tasks))


async def seeded(path: Path | str, rows: int = 3000) -> Database:
    """A database large enough that copying it takes a while."""
    db = await opened(path)

    async def job(conn):
        await conn.executemany(
            """INSERT INTO users (username, username_key, display_name, created_at, updated_at)
               VALUES (?, ?, ?, '', '')""",
            [(f"seed{n}", f"seed{n}", "x" * 200) for n in range(rows)],
        )

    await db.write(job)
    return db


def check_copy(path: Path, at_least: int, at_most: int) -> int:
    """The copy is intact, holds every row committed before it began, and is a prefix."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [row[0] for row in conn.execute("SELECT id FROM users ORDER BY id")]
        assert conn.execute("SELECT slug FROM rooms").fetchall() == [("global",)]
    finally:
        conn.close()
    assert at_least <= len(ids) <= at_most, (at_least, len(ids), at_most)
    assert ids == list(range(1, len(ids) + 1))
    return len(ids)


async def test_a_write_waits_off_the_loop_while_another_process_holds_the_lock(tmp_path):
    """BEGIN IMMEDIATE runs inline when the lock is free; when another connection (as
    another process would) holds it, the batch waits on the writer's thread: the loop
    keeps running, and the write lands once the lock is released."""
    db = await opened(tmp_path / "chat.db")
    try:
        await add_user(db, "first")  # the inline path
        other = sqlite3.connect(tmp_path / "chat.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        pending = asyncio.create_task(add_user(db, "second"))
        ticks = 0
        for _ in range(25):  # 0.25 s with the lock held
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 25 and not pending.done()
        other.execute("COMMIT")
        released = time.monotonic()
        other.close()
        assert await asyncio.wait_for(pending, 5) > 0
        # Tried again every BUSY_POLL: SQLite's own handler would be in a 100 ms sleep now.
        assert time.monotonic() - released < 0.03
        assert len(await db.fetch_all("SELECT id FROM users WHERE username = 'second'")) == 1
    finally:
        await db.close()


async def test_a_lock_held_past_the_busy_timeout_fails_the_batch_and_the_next_one_lands(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(connections, "BUSY_SECONDS", 0.2)
    db = await opened(tmp_path / "chat.db")
    try:
        other = sqlite3.connect(tmp_path / "chat.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await add_user(db, "blocked")
        assert 0.2 <= time.monotonic() - started < 2
        other.execute("COMMIT")
        other.close()
        assert await add_user(db, "after") > 0
    finally:
        await db.close()


async def test_database_backup_is_consistent_while_writes_go_on(tmp_path):
    db = await seeded(tmp_path / "teahouse.db")
    load = WriteLoad(db)
    await asyncio.sleep(0.05)
    before = (await db.fetch_one("SELECT COUNT(*) FROM users"))[0]
    await db.backup(tmp_path / "copy.db")
    written = await load.finish()
    after = (await db.fetch_one("SELECT COUNT(*) FROM users"))[0]
    await db.close()
    assert written > 0
    check_copy(tmp_path / "copy.db", before, after)


async def test_backup_file_copies_a_live_database_from_another_thread(tmp_path):
    db = await seeded(tmp_path / "teahouse.db")
    load = WriteLoad(db)
    await asyncio.sleep(0.05)
    before = (await db.fetch_one("SELECT COUNT(*) FROM users"))[0]
    await asyncio.to_thread(backup_file, db.path, tmp_path / "copy.db")
    await load.finish()
    after = (await db.fetch_one("SELECT COUNT(*) FROM users"))[0]
    await db.close()
    check_copy(tmp_path / "copy.db", before, after)


@pytest.mark.slow
async def test_the_backup_subcommand_copies_a_database_being_written(tmp_path):
    data_dir = tmp_path / "data"
    db = await seeded(data_dir / "teahouse.db")
    load = WriteLoad(db)
    await asyncio.sleep(0.05)
    before = (await db.fetch_one("SELECT COUNT(*) FROM users"))[0]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "server.py",
        "--data-dir",
        str(data_dir),
        "backup",
        str(tmp_path / "copy.tar"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    await load.finish()
    after = (await db.fetch_one("SELECT COUNT(*) FROM users"))[0]
    await db.close()
    assert proc.returncode == 0, err.decode()
    assert "backed up" in out.decode()
    with tarfile.open(tmp_path / "copy.tar") as archive:
        (tmp_path / "copy.db").write_bytes(archive.extractfile("teahouse.db").read())
    check_copy(tmp_path / "copy.db", before, after)


@pytest.mark.slow
async def test_the_backup_subcommand_fails_clearly_without_a_database(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "server.py",
        "--data-dir",
        str(tmp_path / "empty"),
        "backup",
        str(tmp_path / "copy.db"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 1
    assert "no Teahouse database" in err.decode()
    assert not (tmp_path / "copy.db").exists()
