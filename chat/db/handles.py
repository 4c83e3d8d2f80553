"""The SQLite connections behind Database: aiosqlite ones for reads (each call a round
trip to its thread), inline ones whose statements run on the event loop (point lookups,
and the writer's statements inside a transaction), and how the writer waits for a write
lock another process holds.
"""

from __future__ import annotations

import asyncio
import math
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")
PROGRESS_STEPS = 1000  # SQLite VM steps between looks at the clock (well under 1 ms)
BUSY_SECONDS = 5.0
BUSY_TIMEOUT = f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}"
BUSY_POLL = 0.0005  # seconds between tries for a write lock another process holds
SQLITE_BUSY = 5  # the result code (low byte) of "database is locked"
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    BUSY_TIMEOUT,
)


async def connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    return conn


class PooledReader:
    """A read connection lent to one caller at a time, interrupted past its deadline."""

    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn
        self.deadline = math.inf

    @classmethod
    async def open(cls, path: Path) -> PooledReader:
        reader = cls(await connect(path))
        await reader.conn.set_progress_handler(reader.expired, PROGRESS_STEPS)
        return reader

    def expired(self) -> bool:
        """Called by SQLite on the connection's thread: a true value interrupts."""
        return time.monotonic() > self.deadline


class InlineConnection:
    """A sqlite3 connection with aiosqlite's async calls, whose statements run inline on
    the event loop: for statements of microseconds (an indexed lookup of one row, the
    writer's inserts), where each aiosqlite call costs a thread round trip (~70 us of
    CPU) — on every socket open and every authenticated request."""

    writes_in_with = False  # SQLite's WITH holds SELECTs only (see PgConnection)

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self._conn.row_factory = sqlite3.Row

    @classmethod
    def open_lookups(cls, path: Path) -> InlineConnection:
        """A read-only connection for point lookups (WAL: never waits for the writer)."""
        lookups = cls(sqlite3.connect(path, isolation_level=None, check_same_thread=False))
        for pragma in ("PRAGMA query_only=1", "PRAGMA busy_timeout=1000"):
            lookups._conn.execute(pragma)
        return lookups

    async def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params or ())

    async def execute_fetchall(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params or ()).fetchall()

    async def references_to(self, target: str) -> list[tuple[str, str]]:
        """(table, column) of every foreign key to target, from the live schema (the
        catalog is each engine's own: PgConnection has the same call)."""
        found = []
        tables = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'messages_fts%'"
        ).fetchall()
        for (table,) in tables:
            for key in self._conn.execute(f'PRAGMA foreign_key_list("{table}")'):
                if key["table"] == target:
                    found.append((table, key["from"]))
        return found

    async def close(self) -> None:
        self._conn.close()


class WriterConnection(InlineConnection):
    """The writer's connection. Statements inside a write transaction run inline; what
    may wait runs on the writer's own thread: BEGIN IMMEDIATE (another process may hold
    the lock), COMMIT (fsync), long statements, scripts and close.
    """

    def __init__(self, conn: sqlite3.Connection):
        super().__init__(conn)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")

    @classmethod
    async def open(cls, path: Path) -> WriterConnection:
        writer = cls(sqlite3.connect(path, isolation_level=None, check_same_thread=False))
        for pragma in PRAGMAS:
            await writer.run(writer._pragma, pragma)
        return writer

    def _pragma(self, pragma: str) -> None:
        """Processes starting together on a new file all switch it to WAL; SQLite
        answers the losers "locked" at once (no busy wait can help): try again."""
        for attempt in range(100):
            try:
                self._conn.execute(pragma)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.05)

    async def run(self, fn: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def execute_now(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """A statement from the writer's thread (`await run(execute_now, ...)`): for
        long ones, which then leave the event loop free."""
        return self._conn.execute(sql, params or ())

    async def executemany(self, sql: str, params: Any) -> sqlite3.Cursor:
        return self._conn.executemany(sql, params)

    async def executescript(self, script: str) -> sqlite3.Cursor:
        return await self.run(self._conn.executescript, script)

    @asynccontextmanager
    async def attempt(self) -> AsyncIterator[None]:
        """A statement whose failure the job catches and goes on: SQLite already undoes
        a failed statement alone (PostgreSQL needs a savepoint, pg_connection.py)."""
        yield

    async def begin(self, *then: str) -> None:
        """BEGIN IMMEDIATE inline when the write lock is free (one process: always), which
        saves a thread round trip per batch; when another process holds it, on the
        writer's thread, trying again every BUSY_POLL seconds up to the busy timeout.
        (SQLite's own busy handler sleeps 1, 2, 5, 10 ... ms between tries: two processes
        committing every millisecond or so would keep missing each other's gaps.)
        Then the statements `then` (the first savepoint)."""
        self._conn.execute("PRAGMA busy_timeout=0")
        try:
            if self._try_begin() is not None:
                await self.run(self._wait_to_begin, time.monotonic() + BUSY_SECONDS)
        finally:
            self._conn.execute(BUSY_TIMEOUT)
        await self.statements(*then)

    async def statements(self, *sql: str) -> None:
        """Statements without parameters or rows (savepoints), inline, in order."""
        for one in sql:
            self._conn.execute(one)

    def _try_begin(self) -> sqlite3.OperationalError | None:
        """None once BEGIN IMMEDIATE has the write lock; SQLite's "locked" error while
        another process holds it."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if (exc.sqlite_errorcode & 0xFF) != SQLITE_BUSY:
                raise
            return exc
        return None

    def _wait_to_begin(self, deadline: float) -> None:
        """On the writer's thread: BEGIN IMMEDIATE as soon as the other process lets go."""
        while (busy := self._try_begin()) is not None:
            if time.monotonic() > deadline:
                raise busy
            time.sleep(BUSY_POLL)

    async def commit(self) -> None:
        await self.run(self._conn.execute, "COMMIT")

    async def close(self) -> None:
        await self.run(self._conn.close)
        self._thread.shutdown(wait=False)
