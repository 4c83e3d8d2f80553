"""Database: one storage interface over two engines (sqlite_engine.py, the default, and
postgres_engine.py for CHAT_DATABASE_URL=postgresql://...): one writer with group
commit, a connection for short reads, one for socket replays, point lookups, and
connections for reads that may be long (searches, history pages).

Writes are queued and run by a single writer task: every job waiting when a batch
starts shares one BEGIN ... COMMIT, each inside its own SAVEPOINT so a job that fails
rolls back alone. Callers get their result only after COMMIT returns: on SQLite with
synchronous=FULL under WAL, on PostgreSQL with its default fsync and synchronous_commit,
that means the data survives a power cut. On SQLite the writer runs a job's statements
inline (WriterConnection), so a batch costs two thread hops.

A long read never runs on the short-read connection: bounded_read() lends a connection
of its own to one caller at a time, with a time budget the engine enforces by stopping
the statement (ReadBudgetSpent). So eight clients searching for everything cannot make
anyone's GET /me wait behind them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from chat.db.errors import storage_failure
from chat.db.sqlite_engine import SqliteEngine

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteJob = Callable[[Any], Awaitable[T]]
MAX_BATCH = 256
BREATHE_SECONDS = 0.001  # inline jobs of a batch run this long before the loop gets a turn
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def engine_for(target: Path | str, read_connections: int):
    """The engine a database target names: a postgresql:// URL, else a SQLite file."""
    if isinstance(target, str) and target.startswith(POSTGRES_SCHEMES):
        from chat.db.postgres_engine import PostgresEngine  # asyncpg only when used

        return PostgresEngine(target, read_connections)
    return SqliteEngine(Path(target), read_connections)


class Database:
    def __init__(
        self,
        target: Path | str,
        read_connections: int = 3,
        read_budget: float = 2.0,
        index_delay: float = 0.2,
    ):
        self.engine = engine_for(target, read_connections)
        self.path: Path | None = self.engine.path  # the SQLite file; None on PostgreSQL
        self.read_budget = read_budget
        self.indexer = self.engine.indexer(self, index_delay)
        self.write_failure: str | None = None  # why the last batch failed, until one commits
        self._queue: asyncio.Queue = asyncio.Queue()
        self._writer_task: asyncio.Task | None = None
        # Told (jobs in the batch, seconds from BEGIN to COMMIT) after each batch; /metrics.
        self.on_batch: Callable[[int, float], None] | None = None

    async def open(self) -> None:
        await self.engine.open()
        self._writer_task = asyncio.create_task(self._write_loop(), name="db-writer")
        await self.indexer.catch_up()

    async def close(self) -> None:
        await self.indexer.close()
        if self._writer_task:
            await self._queue.put(None)
            await self._writer_task
            self._writer_task = None
        await self.engine.close()

    # -- reads -------------------------------------------------------------
    async def fetch_all(self, sql: str, params: Any = ()) -> list:
        return list(await self.engine.reader.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Any = ()) -> Any:
        rows = await self.engine.reader.execute_fetchall(sql, params)
        return rows[0] if rows else None

    @property
    def reader(self):
        """The connection for short reads (a row by key, a small index range)."""
        return self.engine.reader

    @property
    def replays(self):
        """Reads for sockets resuming: a reconnect storm's thousands of replays queue
        here, not in front of every REST request on `reader`."""
        return self.engine.replays

    @property
    def lookups(self):
        """For one-row lookups by key only (who a token names, a room, a membership):
        inline on the loop on SQLite. Anything that scans uses `reader`."""
        return self.engine.lookups

    @asynccontextmanager
    async def bounded_read(self, budget: float | None = None) -> AsyncIterator[Any]:
        """A connection of one's own for a read that may be long; the wait for it and
        every statement on it share one budget of seconds."""
        budget = self.read_budget if budget is None else budget
        async with self.engine.bounded_read(budget) as conn:
            yield conn

    def snapshot(self):
        """`async with db.snapshot() as conn`: a connection of its own inside one read
        transaction, for a long read that must be consistent while writes go on (an
        export) and must not hold a pooled connection from the short reads."""
        return self.engine.snapshot()

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
        conn = self.engine.writer
        outcomes: list[tuple[bool, Any]] = []
        started = time.perf_counter()
        try:
            await conn.begin()
            breathed = started
            for job, _, _ in batch:
                outcomes.append(await self._run_job(conn, job))
                if (now := time.perf_counter()) - breathed >= BREATHE_SECONDS:
                    await asyncio.sleep(0)  # jobs run inline: let the loop breathe
                    breathed = now
            await conn.commit()
            self.write_failure = None
        except Exception as exc:  # the commit itself failed: nobody's write landed
            self.write_failure = storage_failure(exc)
            if self.write_failure:  # a fault of the machine, not a bug: one line, no traceback
                log.error("write batch failed: %s (%s)", self.write_failure, exc)
            else:
                log.exception("write batch failed")
            await self._roll_back(conn)
            outcomes = [(False, exc)] * len(batch)
        else:
            if self.on_batch is not None:
                self.on_batch(len(batch), time.perf_counter() - started)
        for (_, after_commit, future), (ok, value) in zip(batch, outcomes, strict=True):
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
    async def _roll_back(conn) -> None:
        """After a failed batch; a connection the server dropped has nothing to undo,
        and the writer must live on to take the next batch."""
        try:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
        except Exception as exc:
            log.error("rollback after a failed batch failed: %s", exc)

    @staticmethod
    async def _run_job(conn, job: WriteJob) -> tuple[bool, Any]:
        await conn.execute("SAVEPOINT job")
        try:
            result = await job(conn)
        except Exception as exc:
            await conn.execute("ROLLBACK TO job")
            await conn.execute("RELEASE job")
            return False, exc
        await conn.execute("RELEASE job")
        return True, result

    async def probe_write(self, stamp: str) -> None:
        """A real write and fsync (the health_probe row), so a full disk, a read-only
        file or a held lock shows now rather than in someone's message."""

        async def job(conn):
            await conn.execute(
                """INSERT INTO health_probe (id, written_at) VALUES (1, ?)
                   ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at""",
                (stamp,),
            )

        await self.write(job)

    # -- operations --------------------------------------------------------
    async def backup(self, target: Path) -> None:
        """A consistent copy taken in one step while writes go on: SQLite's, a file.
        A PostgreSQL site is backed up by pg_dump or PITR (docs/scale-out.md), and
        `server.py backup` says so before it gets here."""
        await self.engine.backup(target)
