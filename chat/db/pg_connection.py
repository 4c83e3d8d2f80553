"""The PostgreSQL side of the connection interface the query code uses: `execute` (a
cursor with fetchone/fetchall/rowcount/lastrowid), `execute_fetchall`, `executemany`,
`executescript`, on one asyncpg connection; rows are asyncpg Records, which answer
row["col"], row[0], keys() and dict(row) as sqlite3.Row does.

Statements go through asyncpg's own prepared-statement cache: rows come from fetch(),
and a statement that returns none runs through execute(), whose status ("UPDATE 3")
gives rowcount. lastrowid is known only for a statement that says RETURNING (its
first column). A broken constraint is re-raised as PostgresIntegrityError, and a read
past its deadline (bounded_read) as ReadBudgetSpent.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from chat.db.errors import (
    DatabaseUnreachable,
    PostgresIntegrityError,
    ReadBudgetSpent,
    UnstorableText,
    storage_failure,
)
from chat.db.placeholders import translate

CONNECT_SECONDS = 5.0


class PgCursor:
    """A finished statement's rows and counts (they are all read at once)."""

    def __init__(self, rows: list, rowcount: int, lastrowid: int | None = None):
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def fetchone(self):
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list:
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    def __iter__(self):
        return iter(self.fetchall())


def checked(args: list) -> list:
    """The arguments, unless a text holds a NUL (refused here, so a transaction is not
    aborted by the server's refusal and the caller gets a 400)."""
    for arg in args:
        if type(arg) is str and "\x00" in arg:
            raise UnstorableText("text with a NUL character")
    return args


def status_count(status: str) -> int:
    """The row count at the end of a command status ("INSERT 0 3", "DELETE 2")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


async def connect(dsn: str, server_settings: dict[str, str] | None = None) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(dsn, timeout=CONNECT_SECONDS, server_settings=server_settings)
    except (OSError, TimeoutError) as exc:
        raise DatabaseUnreachable(str(exc)) from exc


class PgConnection:
    """One asyncpg connection with the query code's calls; `deadline` (monotonic
    seconds) bounds every statement while it is lent for a bounded read."""

    # A WITH may INSERT/UPDATE, so two dependent writes are one statement, one round
    # trip (chat/db/event_log.py); query code asks this, not which engine it is on.
    writes_in_with = True

    def __init__(
        self, raw: asyncpg.Connection, dsn: str, server_settings: dict[str, str] | None = None
    ):
        self.raw = raw
        self.dsn = dsn
        self.server_settings = server_settings
        self.deadline = math.inf

    @classmethod
    async def open(cls, dsn: str, server_settings: dict[str, str] | None = None) -> PgConnection:
        return cls(await connect(dsn, server_settings), dsn, server_settings)

    async def reopen_if_lost(self) -> None:
        """A connection the server dropped (a restart) is replaced before its next use."""
        if self.raw.is_closed():
            self.raw = await connect(self.dsn, self.server_settings)

    def _timeout(self) -> float | None:
        if self.deadline == math.inf:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ReadBudgetSpent()
        return left

    async def execute(self, sql: str, params: Any = ()) -> PgCursor:
        statement = translate(sql)
        args = checked(statement.arguments(params))
        try:
            if statement.returns_rows:
                rows = await self.raw.fetch(statement.sql, *args, timeout=self._timeout())
                lastrowid = rows[0][0] if rows and statement.returning else None
                return PgCursor(rows, len(rows), lastrowid)
            if not args:  # the simple protocol: also several statements, no preparing
                status = await self.raw.execute(statement.sql, timeout=self._timeout())
            else:
                status = await self.raw.execute(statement.sql, *args, timeout=self._timeout())
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise PostgresIntegrityError(str(exc)) from exc
        except (TimeoutError, asyncpg.QueryCanceledError):
            if self.deadline == math.inf:
                raise
            raise ReadBudgetSpent() from None
        return PgCursor([], status_count(status))

    async def execute_fetchall(self, sql: str, params: Any = ()) -> list:
        return (await self.execute(sql, params)).fetchall()

    async def executemany(self, sql: str, params: Any) -> PgCursor:
        statement = translate(sql)
        try:
            await self.raw.executemany(
                statement.sql, [checked(statement.arguments(p)) for p in params]
            )
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise PostgresIntegrityError(str(exc)) from exc
        return PgCursor([], -1)

    async def references_to(self, target: str) -> list[tuple[str, str]]:
        """(table, column) of every foreign key to target, from the catalog, in the order
        the tables were made (as the SQLite connection reads them from sqlite_master)."""
        rows = await self.execute_fetchall(
            """SELECT CAST(CAST(c.conrelid AS regclass) AS text), a.attname
               FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
               WHERE c.contype = 'f' AND c.confrelid = CAST(? AS regclass)
               ORDER BY c.conrelid, a.attnum""",
            (target,),
        )
        return [(table, column) for table, column in rows]

    async def executescript(self, script: str) -> None:
        await self.raw.execute(script)

    # The writer's calls (chat/db/database.py) ------------------------------
    execute_now = execute  # SQLite runs long statements on the writer's thread

    async def run(self, fn: Callable, *args):
        """SQLite's "run this on the writer's thread"; here every call is already async."""
        return await fn(*args)

    @asynccontextmanager
    async def attempt(self) -> AsyncIterator[None]:
        """A statement whose failure the job catches and goes on (a repeated client_id):
        PostgreSQL aborts the whole transaction on an error, SQLite only the statement,
        so here it runs inside a savepoint of its own (two round trips more, paid only
        where the query code asks)."""
        await self.raw.execute("SAVEPOINT attempt")
        try:
            yield
        except BaseException:
            await self.raw.execute("ROLLBACK TO SAVEPOINT attempt; RELEASE SAVEPOINT attempt")
            raise
        await self.raw.execute("RELEASE SAVEPOINT attempt")

    @property
    def in_transaction(self) -> bool:
        return not self.raw.is_closed() and self.raw.is_in_transaction()

    async def begin(self, *then: str) -> None:
        """BEGIN and the statements `then` (the first savepoint) in one round trip."""
        await self.reopen_if_lost()
        await self.statements("BEGIN", *then)

    async def statements(self, *sql: str) -> None:
        """Statements without parameters or rows in one round trip: the simple query
        protocol runs several at once (the writer's savepoints travel together)."""
        await self.raw.execute("; ".join(sql))

    async def commit(self) -> None:
        await self.raw.execute("COMMIT")

    async def close(self) -> None:
        await self.raw.close()


class PgPool:
    """A fixed set of connections lent one caller at a time (a bounded read keeps its
    deadline on the connection it holds)."""

    def __init__(self, dsn: str, size: int):
        self.dsn = dsn
        self.size = size
        self._all: list[PgConnection] = []
        self._free: asyncio.Queue[PgConnection] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            conn = await PgConnection.open(self.dsn)
            self._all.append(conn)
            self._free.put_nowait(conn)

    async def take(self, wait: float | None = None) -> PgConnection:
        conn = await asyncio.wait_for(self._free.get(), wait)
        try:
            await conn.reopen_if_lost()
        except BaseException:
            self._free.put_nowait(conn)
            raise
        return conn

    def give(self, conn: PgConnection) -> None:
        conn.deadline = math.inf
        self._free.put_nowait(conn)

    @asynccontextmanager
    async def lend(self) -> AsyncIterator[PgConnection]:
        conn = await self.take()
        try:
            yield conn
        finally:
            self.give(conn)

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()
        self._all = []


class PooledStatements:
    """`reader`, `replays` and `lookups` on PostgreSQL: each statement on whichever
    pooled connection is free (no statement of theirs spans two calls). A read whose
    connection turns out to be dropped (the server restarted since its last use) is
    tried once more on a new one: reads change nothing, so nobody sees the restart."""

    def __init__(self, pool: PgPool):
        self.pool = pool

    async def execute(self, sql: str, params: Any = ()) -> PgCursor:
        async with self.pool.lend() as conn:
            try:
                return await conn.execute(sql, params)
            except Exception as exc:
                if storage_failure(exc) != "database_unavailable":
                    raise
            await conn.reopen_if_lost()
            return await conn.execute(sql, params)

    async def execute_fetchall(self, sql: str, params: Any = ()) -> list:
        return (await self.execute(sql, params)).fetchall()
