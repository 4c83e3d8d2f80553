"""SQL for the event log: per-stream sequence numbers and the payloads behind them."""

from __future__ import annotations

import time


async def append(conn, stream: int, payload: str) -> int:
    """The stream's next sequence number, recorded with the payload (inside the
    writing transaction: the number is gap-free and in commit order). On PostgreSQL
    the upsert locks the stream's row until COMMIT, so writers on several hosts take
    numbers one after another, never the same one twice."""
    rows = await conn.execute_fetchall(
        """INSERT INTO event_streams (stream, seq) VALUES (?, 1)
           ON CONFLICT (stream) DO UPDATE SET seq = event_streams.seq + 1
           RETURNING seq""",
        (stream,),
    )
    seq = rows[0][0]
    await conn.execute(
        "INSERT INTO event_log (stream, seq, payload, created_at) VALUES (?, ?, ?, ?)",
        (stream, seq, payload, time.time()),
    )
    return seq


async def heads(conn) -> dict[int, int]:
    """The last sequence number of every stream."""
    rows = await conn.execute_fetchall("SELECT stream, seq FROM event_streams")
    return {row[0]: row[1] for row in rows}


async def after(conn, stream: int, seq: int, limit: int) -> list[tuple[int, str]]:
    """(seq, payload) of the stream's events after seq, in order."""
    rows = await conn.execute_fetchall(
        "SELECT seq, payload FROM event_log WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?",
        (stream, seq, limit),
    )
    return [(row[0], row[1]) for row in rows]


async def prune(conn, older_than: float) -> None:
    await conn.execute("DELETE FROM event_log WHERE created_at < ?", (older_than,))
