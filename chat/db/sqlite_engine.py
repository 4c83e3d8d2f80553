"""The SQLite engine behind Database: the writer's connection (WAL, synchronous=FULL),
a connection for short reads, one for socket replays, inline point lookups, and a
small pool of connections for reads that may be long.

A long read never runs on the short-read connection: bounded_read() lends one pooled
connection to one caller at a time, with a time budget that SQLite's progress handler
enforces by interrupting the statement (ReadBudgetSpent).

The connection kinds themselves are in handles.py.
"""

from __future__ import annotations

import asyncio
import math
import os
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from chat.db.errors import ReadBudgetSpent
from chat.db.handles import InlineConnection, PooledReader, WriterConnection, connect
from chat.db.migrate import migrate
from chat.db.search_index import SearchIndexer


class SqliteEngine:
    name = "sqlite"

    def __init__(self, path: Path, read_connections: int):
        self.path = Path(path)
        self.reader: aiosqlite.Connection | None = None
        self.replays: aiosqlite.Connection | None = None
        self.lookups: InlineConnection | None = None
        self.writer: WriterConnection | None = None
        self._pool_size = read_connections
        self._pool: list[PooledReader] = []
        self._free: asyncio.Queue[PooledReader] = asyncio.Queue()

    def indexer(self, db, delay: float) -> SearchIndexer:
        return SearchIndexer(db, delay)

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = await WriterConnection.open(self.path)
        try:
            await migrate(self.writer)
        except BaseException:  # a failed migration must not leak the connection
            await self.writer.close()
            self.writer = None
            raise
        self.reader = await connect(self.path)
        self.lookups = InlineConnection.open_lookups(self.path)
        self.replays = await connect(self.path)
        for _ in range(self._pool_size):
            pooled = await PooledReader.open(self.path)
            self._pool.append(pooled)
            self._free.put_nowait(pooled)

    async def close(self) -> None:
        for conn in (
            self.reader,
            self.writer,
            self.lookups,
            self.replays,
            *(pooled.conn for pooled in self._pool),
        ):
            if conn is not None:
                await conn.close()
        self.reader = self.writer = self.lookups = self.replays = None
        self._pool = []

    @asynccontextmanager
    async def bounded_read(self, budget: float) -> AsyncIterator[aiosqlite.Connection]:
        start = time.monotonic()
        try:
            pooled = await asyncio.wait_for(self._free.get(), budget)
        except TimeoutError:
            raise ReadBudgetSpent() from None
        pooled.deadline = start + budget
        try:
            yield pooled.conn
        except sqlite3.OperationalError as exc:
            if "interrupt" not in str(exc):
                raise
            raise ReadBudgetSpent() from None
        finally:
            pooled.deadline = math.inf
            self._free.put_nowait(pooled)

    def snapshot(self):
        return snapshot(self.path)

    async def backup(self, target: Path) -> None:
        """A consistent copy taken in one step while writes go on."""
        destination = await aiosqlite.connect(target)
        try:
            await self.reader.backup(destination)
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


@asynccontextmanager
async def snapshot(database: Path) -> AsyncIterator[aiosqlite.Connection]:
    """A connection of its own inside one read transaction: a consistent export while the
    server writes, closed even when the client goes away mid-download."""
    conn = await connect(database)
    try:
        await conn.execute("BEGIN")
        await conn.execute_fetchall("SELECT 1 FROM users LIMIT 1")  # the snapshot starts here
        yield conn
    finally:
        await asyncio.shield(conn.close())
