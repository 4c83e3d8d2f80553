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
from chat.db.postgres_search import SEARCH

SHORT_CONNECTIONS = 2  # reader + lookups
REPLAY_CONNECTIONS = 1
# A host that vanishes (power, a cut network) closes nothing: PostgreSQL would keep its
# writer's open transaction, and the rooms it holds, until TCP gives up (hours by
# default), and every other host's writes to those rooms would wait. The writer is
# never idle inside a transaction for longer than a batch's Python work, so the server
# ends such a session after WRITER_IDLE_SECONDS, and asks a silent peer after 5 s.
WRITER_IDLE_SECONDS = 10


def writer_settings() -> dict[str, str]:
    """The writer's session settings (any role may set them for its own session)."""
    return {
        "idle_in_transaction_session_timeout": f"{WRITER_IDLE_SECONDS * 1000:.0f}",
        "tcp_keepalives_idle": "5",
        "tcp_keepalives_interval": "2",
        "tcp_keepalives_count": "3",
    }


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
    search = SEARCH
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
        self.writer = await PgConnection.open(self.url, writer_settings())
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
