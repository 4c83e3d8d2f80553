"""Database: one writer connection with group commit; a connection for short reads,
one for socket replays, inline point lookups, and a small pool of connections for
reads that may be long (searches, history pages).

Writes are queued and run by a single writer task: every job waiting when a batch
starts shares one BEGIN IMMEDIATE ... COMMIT, each inside its own SAVEPOINT so a job
that fails rolls back alone. Callers get their result only after COMMIT returns, and
with synchronous=FULL under WAL that means the data survives a power cut. The writer
runs a job's statements inline (WriterConnection), so a batch costs two thread hops.

A long read never runs on the short-read connection: bounded_read() lends one pooled
connection to one caller at a time, with a time budget that SQLite's progress handler
enforces by interrupting the statement (ReadBudgetSpent). So eight clients searching
for everything cannot make anyone's GET /me wait behind them.

The connection kinds themselves (and the writer's wait for another process's lock)
are in connections.py.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from chat.db.handles import InlineConnection, PooledReader, WriterConnection, connect
from chat.db.migrate import migrate
from chat.db.search_index import SearchIndexer

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteJob = Callable[["WriterConnection"], Awaitable[T]]
MAX_BATCH = 256
BREATHE_SECONDS = 0.001  # inline jobs of a batch run this long before the loop gets a turn

# SQLite result codes (the low byte of an extended code) that mean "cannot write now".
SQLITE_FULL = 13
UNWRITABLE_CODES = {5: "locked", 6: "locked", 8: "read-only", 10: "I/O error", 14: "cannot open"}


def storage_failure(exc: BaseException) -> str | None:
    """ "disk_full" or "database_unwritable" when exc says the storage refused a write;
    None for anything else (a bug, a constraint)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(exc, sqlite3.Error) or code is None:
        return None
    if code & 0xFF == SQLITE_FULL:
        return "disk_full"
    if code & 0xFF in UNWRITABLE_CODES:
        return "database_unwritable"
    return None


class ReadBudgetSpent(Exception):
    """A bounded read ran out of time (or waited too long for a connection)."""


class Database:
    def __init__(
        self,
        path: Path,
        read_connections: int = 3,
        read_budget: float = 2.0,
        index_delay: float = 0.2,
    ):
        self.path = Path(path)
        self.read_budget = read_budget
        self.indexer = SearchIndexer(self, index_delay)
        self._reader: aiosqlite.Connection | None = None
        self._pool_size = read_connections
        self._pool: list[PooledReader] = []
        self._free: asyncio.Queue[PooledReader] = asyncio.Queue()
        self._writer: WriterConnection | None = None
        self._lookups: InlineConnection | None = None
        self._replays: aiosqlite.Connection | None = None
        self.write_failure: str | None = None  # why the last batch failed, until one commits
        self._queue: asyncio.Queue = asyncio.Queue()
        self._writer_task: asyncio.Task | None = None
        # Told (jobs in the batch, seconds from BEGIN to COMMIT) after each batch; /metrics.
        self.on_batch: Callable[[int, float], None] | None = None

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
        self._lookups = InlineConnection.open_lookups(self.path)
        self._replays = await connect(self.path)
        for _ in range(self._pool_size):
            pooled = await PooledReader.open(self.path)
            self._pool.append(pooled)
            self._free.put_nowait(pooled)
        self._writer_task = asyncio.create_task(self._write_loop(), name="db-writer")
        await self.indexer.catch_up()

    async def close(self) -> None:
        await self.indexer.close()
        if self._writer_task:
            await self._queue.put(None)
            await self._writer_task
            self._writer_task = None
        for conn in (
            self._reader,
            self._writer,
            self._lookups,
            self._replays,
            *(pooled.conn for pooled in self._pool),
        ):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = self._lookups = self._replays = None
        self._pool = []

    # -- reads -------------------------------------------------------------
    async def fetch_all(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        rows = await self._reader.execute_fetchall(sql, params)
        return rows[0] if rows else None

    @property
    def reader(self) -> aiosqlite.Connection:
        """The connection for short reads (a row by key, a small index range)."""
        return self._reader

    @property
    def replays(self) -> aiosqlite.Connection:
        """Reads for sockets resuming: a reconnect storm's thousands of replays queue
        here, not in front of every REST request on `reader`."""
        return self._replays

    @property
    def lookups(self) -> InlineConnection:
        """For one-row lookups by key only (who a token names, a room, a membership):
        inline on the loop. Anything that scans uses `reader`."""
        return self._lookups

    @asynccontextmanager
    async def bounded_read(
        self, budget: float | None = None
    ) -> AsyncIterator[aiosqlite.Connection]:
        """A pooled connection of one's own for a read that may be long; the wait for
        it and every statement on it share one budget of seconds."""
        budget = self.read_budget if budget is None else budget
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
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
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

    async def probe_write(self, stamp: str) -> None:
        """A real write and fsync (the health_probe row), so a full disk, a read-only
        file or a held lock shows now rather than in someone's message."""

        async def job(conn):
            await conn.execute(
                "INSERT OR REPLACE INTO health_probe (id, written_at) VALUES (1, ?)", (stamp,)
            )

        await self.write(job)

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
