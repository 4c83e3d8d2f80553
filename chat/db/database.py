"""Database: one writer connection with group commit, one reader connection.

Writes are queued and run by a single writer task: every job waiting when a batch
starts shares one BEGIN IMMEDIATE ... COMMIT, each inside its own SAVEPOINT so a job
that fails rolls back alone. Callers get their result only after COMMIT returns, and
with synchronous=FULL under WAL that means the data survives a power cut. The writer
runs a job's statements inline (WriterConnection), so a batch costs two thread hops.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

import aiosqlite

from .migrate import migrate

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteJob = Callable[["WriterConnection"], Awaitable[T]]
MAX_BATCH = 256
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


async def connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    return conn


class WriterConnection:
    """The writer's sqlite3 connection, with the async calls jobs use on aiosqlite's.

    Statements inside a write transaction run inline on the event loop: they take
    microseconds, where each aiosqlite call costs a thread round trip (~70 us of CPU).
    What may wait runs on the writer's own thread: BEGIN IMMEDIATE (another process
    may hold the lock), COMMIT (fsync), scripts and close.
    """

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")

    @classmethod
    async def open(cls, path: Path) -> "WriterConnection":
        writer = cls(sqlite3.connect(path, isolation_level=None, check_same_thread=False))
        writer._conn.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            await writer.run(writer._conn.execute, pragma)
        return writer

    async def run(self, fn: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    async def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params or ())

    async def execute_fetchall(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params or ()).fetchall()

    async def executemany(self, sql: str, params: Any) -> sqlite3.Cursor:
        return self._conn.executemany(sql, params)

    async def executescript(self, script: str) -> sqlite3.Cursor:
        return await self.run(self._conn.executescript, script)

    async def begin(self) -> None:
        await self.run(self._conn.execute, "BEGIN IMMEDIATE")

    async def commit(self) -> None:
        await self.run(self._conn.execute, "COMMIT")

    async def close(self) -> None:
        await self.run(self._conn.close)
        self._thread.shutdown(wait=False)


class Database:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._reader: aiosqlite.Connection | None = None
        self._writer: WriterConnection | None = None
        self._queue: asyncio.Queue = asyncio.Queue()
        self._writer_task: asyncio.Task | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await WriterConnection.open(self.path)
        try:
            await migrate(self._writer)
        except BaseException:  # a failed migration must not leak the connection
            await self._writer.close()
            self._writer = None
            raise
        self._reader = await connect(self.path)
        self._writer_task = asyncio.create_task(self._write_loop(), name="db-writer")

    async def close(self) -> None:
        if self._writer_task:
            await self._queue.put(None)
            await self._writer_task
            self._writer_task = None
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    # -- reads -------------------------------------------------------------
    async def fetch_all(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        rows = await self._reader.execute_fetchall(sql, params)
        return rows[0] if rows else None

    @property
    def reader(self) -> aiosqlite.Connection:
        return self._reader

    # -- writes ------------------------------------------------------------
    async def write(self, job: WriteJob[T], after_commit: Callable[[T], None] | None = None) -> T:
        """Run job(conn) in a write transaction; return once it is committed.

        after_commit(result) runs right after COMMIT, in commit order, even if the
        caller has gone away meanwhile: that is where events are published.
        """
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((job, after_commit, future))
        return await future

    async def _write_loop(self) -> None:
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stop = True
                    break
                batch.append(item)
            await self._run_batch(batch)
            if stop:
                return

    async def _run_batch(self, batch: list) -> None:
        conn = self._writer
        outcomes: list[tuple[bool, Any]] = []
        try:
            await conn.begin()
            for job, _, _ in batch:
                outcomes.append(await self._run_job(conn, job))
                await asyncio.sleep(0)  # jobs run inline: let the loop breathe between them
            await conn.commit()
        except Exception as exc:  # the commit itself failed: nobody's write landed
            log.exception("write batch failed")
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            outcomes = [(False, exc)] * len(batch)
        for (_, after_commit, future), (ok, value) in zip(batch, outcomes):
            if ok and after_commit is not None:
                try:
                    after_commit(value)
                except Exception:
                    log.exception("after-commit hook failed")
            if future.cancelled():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    @staticmethod
    async def _run_job(conn: WriterConnection, job: WriteJob) -> tuple[bool, Any]:
        await conn.execute("SAVEPOINT job")
        try:
            result = await job(conn)
        except Exception as exc:
            await conn.execute("ROLLBACK TO job")
            await conn.execute("RELEASE job")
            return False, exc
        await conn.execute("RELEASE job")
        return True, result

    # -- operations --------------------------------------------------------
    async def backup(self, target: Path) -> None:
        """A consistent copy taken in one step while writes go on."""
        destination = await aiosqlite.connect(target)
        try:
            await self._reader.backup(destination)
        finally:
            await destination.close()


def backup_file(source: Path, target: Path) -> None:
    """Copy a live database from another process (the backup subcommand)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))  # private before any byte lands
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()
