"""The PostgreSQL engine behind Database (CHAT_DATABASE_URL=postgresql://...), through
asyncpg: one dedicated connection for the writer's batches (BEGIN, a SAVEPOINT per
job, COMMIT, as on SQLite), and pooled connections for reads. Durability is the
server's: with PostgreSQL's defaults (fsync=on, synchronous_commit=on) COMMIT returns
after the WAL is flushed, so an acknowledged message survives a crash of either host.

Reads: `reader` and `lookups` share a small pool, `replays` (a reconnect storm) has
its own, and bounded_read() lends one connection of a third pool whose statements each
get the budget's remaining time (asyncpg cancels a statement past it on the server).
Search on PostgreSQL reads a GIN index of bigrams that PostgreSQL keeps itself on every
write (migration 0030, chat/db/postgres_search.py), so there is no indexer to run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from chat.db.errors import ReadBudgetSpent
from chat.db.migrate import migrate_postgres
from chat.db.pg_connection import PgConnection, PgPool, PooledStatements

SHORT_CONNECTIONS = 2  # reader + lookups
REPLAY_CONNECTIONS = 1


class IdleIndexer:
    """Nothing to index after commit: PostgreSQL keeps its search index itself."""

    def poke(self) -> None:
        return None

    async def catch_up(self) -> None:
        return None

    async def close(self) -> None:
        return None


class PostgresEngine:
    name = "postgres"
    path = None  # no file: operations on a file (backup, vacuum) are SQLite's

    def __init__(self, url: str, read_connections: int):
        self.url = url
        self.writer: PgConnection | None = None
        self._short = PgPool(url, SHORT_CONNECTIONS)
        self._replays = PgPool(url, REPLAY_CONNECTIONS)
        self._bounded = PgPool(url, read_connections)
        self.reader = self.lookups = PooledStatements(self._short)
        self.replays = PooledStatements(self._replays)

    def indexer(self, db, delay: float) -> IdleIndexer:
        return IdleIndexer()

    async def open(self) -> None:
        self.writer = await PgConnection.open(self.url)
        try:
            await migrate_postgres(self.writer)
            for pool in (self._short, self._replays, self._bounded):
                await pool.open()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        for pool in (self._short, self._replays, self._bounded):
            await pool.close()
        if self.writer is not None:
            await self.writer.close()
            self.writer = None

    @asynccontextmanager
    async def bounded_read(self, budget: float) -> AsyncIterator[PgConnection]:
        start = time.monotonic()
        try:
            conn = await self._bounded.take(budget)
        except TimeoutError:
            raise ReadBudgetSpent() from None
        conn.deadline = start + budget
        try:
            yield conn
        finally:
            self._bounded.give(conn)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[PgConnection]:
        """A connection of its own in one REPEATABLE READ transaction (every statement
        sees the database as it was at the first), rolled back and closed at the end."""
        conn = await PgConnection.open(self.url)
        try:
            await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn
        finally:
            await asyncio.shield(conn.close())  # closing ends the transaction
