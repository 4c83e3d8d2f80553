"""Database: one storage interface over two engines (sqlite_engine.py, the default, and
postgres_engine.py for CHAT_DATABASE_URL=postgresql://...): one writer with group
commit, a connection for short reads, one for socket replays, point lookups, and
connections for reads that may be long (searches, history pages).

Writes are queued and run by a single writer task: every job waiting when a batch
starts shares one BEGIN ... COMMIT, each inside its own SAVEPOINT so a job that fails
rolls back alone (a job alone in its batch has none: if it fails, the batch is rolled
back). On PostgreSQL every statement is a round trip to the server, so the writer's
own statements travel together: BEGIN with the first SAVEPOINT, RELEASE with the next
SAVEPOINT, and COMMIT releases the last (docs/decisions.md, "The write path's round
trips"). Callers get their result only after COMMIT returns: on SQLite with
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
# A job PostgreSQL rolled back to break a deadlock with another host's batch (the two
# crossed the same rooms in opposite orders) runs again in a batch of its own once this
# one has committed: retrying inside the batch would wait for the other host again,
# which waits for a room this batch holds until it commits. Nothing of the job was
# stored; it was going to be a 503 its client retries with the same client_id.
BUSY_RETRIES = 2
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# A batch of several jobs gives each its savepoint; COMMIT releases the last one.
SAVEPOINT = "SAVEPOINT job"
RELEASE = "RELEASE SAVEPOINT job"
UNDO = "ROLLBACK TO SAVEPOINT job"


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
        self.search = self.engine.search  # its search SQL (chat/db/search.py's SearchSql)
        self.write_failure: str | None = None  # why the last batch failed, until one commits
        self._failing_since = 0.0
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
            await self._run_batch(batch, BUSY_RETRIES)
            if stop:
                return

    async def _run_batch(self, batch: list, retries: int) -> None:
        conn = self.engine.writer
        shared = len(batch) > 1  # a job alone needs no savepoint: ROLLBACK undoes it
        outcomes: list[tuple[bool, Any]] = []
        started = time.perf_counter()
        try:
            await conn.begin(*([SAVEPOINT] if shared else []))
            breathed = started
            for n, (job, _, _) in enumerate(batch):
                if n:
                    await conn.statements(RELEASE, SAVEPOINT)  # one round trip on PostgreSQL
                outcomes.append(await self._run_job(conn, job, shared))
                if (now := time.perf_counter()) - breathed >= BREATHE_SECONDS:
                    await asyncio.sleep(0)  # jobs run inline: let the loop breathe
                    breathed = now
            if outcomes[0][0] or shared:
                await conn.commit()
            else:
                await conn.statements("ROLLBACK")
            self._recovered()
        except Exception as exc:  # the commit itself failed: nobody's write landed
            self._failed(exc)
            await self._roll_back(conn)
            outcomes = [(False, exc)] * len(batch)
        else:
            if self.on_batch is not None:
                self.on_batch(len(batch), time.perf_counter() - started)
        again = []
        for item, (ok, value) in zip(batch, outcomes, strict=True):
            _, after_commit, future = item
            if not ok and retries and storage_failure(value) == "database_busy":
                again.append(item)  # another host's batch held a room this job needed
                continue
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
        if again:  # after this batch's commit let go of its rooms, so the way is clear
            await self._run_batch(again, retries - 1)

    def _failed(self, exc: Exception) -> None:
        """A fault of the machine (the database server restarting, a full disk) is one
        line when it starts, not one per batch while it lasts; a bug, its traceback."""
        reason = storage_failure(exc)
        if reason is None:
            log.exception("write batch failed")
        elif reason != self.write_failure:
            log.error("write batch failed: %s (%s); writes refused until it passes", reason, exc)
            self._failing_since = time.monotonic()
        self.write_failure = reason

    def _recovered(self) -> None:
        if self.write_failure is not None:
            log.warning(
                "writes recovered from %s after %.1f s",
                self.write_failure,
                time.monotonic() - self._failing_since,
            )
        self.write_failure = None

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
    async def _run_job(conn, job: WriteJob, shared: bool) -> tuple[bool, Any]:
        """The job's outcome; in a shared batch a failed job's writes are undone back to
        its savepoint, which stays open for the next job."""
        try:
            return True, await job(conn)
        except Exception as exc:
            if shared:
                await conn.statements(UNDO)
            return False, exc

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
