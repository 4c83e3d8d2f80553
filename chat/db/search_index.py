"""The search index, brought up to date after commit in batches.

Each message used to pay its own FTS5 trigram insert inside the send transaction
(~110 us of the event loop's time); one statement over a batch of new rows costs a
fraction of that per row. The indexer runs as an ordinary write job shortly after a
message is committed (so a message is findable well within a second), moves
search_indexed.upto in the same transaction, and at start catches up with whatever a
crash left unindexed. The trigram work itself runs on the writer's thread, off the
event loop.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)
BATCH = 2000  # messages per indexing transaction

INDEX_BATCH = """
    INSERT INTO messages_fts(rowid, content)
    SELECT id, content FROM messages
    WHERE id > :upto AND id <= :last AND message_type != 'system' AND is_deleted = 0
"""
# The same batch widens its days' id spans (migration 0027): search turns dates into ids.
DAYS_BATCH = """
    INSERT INTO message_days (day, first_id, last_id)
    SELECT substr(created_at, 1, 10), MIN(id), MAX(id) FROM messages
    WHERE id > :upto AND id <= :last GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET first_id = min(first_id, excluded.first_id),
                                    last_id = max(last_id, excluded.last_id)
"""


class SearchIndexer:
    def __init__(self, db, delay: float):
        self.db = db
        self.delay = delay
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task | None = None
        self._again = False

    def poke(self) -> None:
        """Messages were committed: index them after `delay` (one run for many pokes)."""
        if self._running is not None:
            self._again = True
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.delay, self._start)

    def _start(self) -> None:
        self._timer = None
        self._running = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while await self.db.write(index_next_batch):
                pass
        except Exception:
            log.exception("search indexing failed; retried on the next message")
        finally:
            self._running = None
            if self._again:
                self._again = False
                self.poke()

    async def catch_up(self) -> None:
        """At start: index what was committed but not indexed before a crash."""
        self.poke()

    async def close(self) -> None:
        if self._timer:
            self._timer.cancel()
            self._timer = None
        if self._running:
            await asyncio.gather(self._running, return_exceptions=True)


async def index_next_batch(conn) -> bool:
    """Index up to BATCH messages above search_indexed.upto; True if the batch was
    full (more may remain). Not merely "something was indexed": under a steady stream
    that kept the indexer looping, one write transaction (and fsync) per message; the
    messages committed during a run poke it again instead, for one run per delay."""
    rows = await conn.execute_fetchall(
        """SELECT s.upto, MAX(next.id), COUNT(next.id) FROM search_indexed s
           LEFT JOIN (SELECT id FROM messages
                      WHERE id > (SELECT upto FROM search_indexed)
                      ORDER BY id LIMIT :batch) next""",
        {"batch": BATCH},
    )
    upto, last, count = rows[0]
    if last is None:
        return False
    await conn.run(conn.execute_now, INDEX_BATCH, {"upto": upto, "last": last})
    await conn.execute(DAYS_BATCH, {"upto": upto, "last": last})
    await conn.execute("UPDATE search_indexed SET upto = ?", (last,))
    return count >= BATCH
