"""SQL for the event log: per-stream sequence numbers and the payloads behind them."""

from __future__ import annotations

import time

NEXT_SEQ = """INSERT INTO event_streams (stream, seq) VALUES (:stream, 1)
              ON CONFLICT (stream) DO UPDATE SET seq = event_streams.seq + 1
              RETURNING seq"""
LOG = """INSERT INTO event_log (stream, seq, payload, created_at)
         VALUES (:stream, {seq}, :payload, :at)"""
LOG_NUMBERED = LOG.format(seq=":seq")
# PostgreSQL numbers and logs the event in one statement, one round trip (a WITH that
# writes, which SQLite has not: conn.writes_in_with); SQLite runs the two inline.
NEXT_AND_LOG = f"""WITH next AS ({NEXT_SEQ})
                   {LOG.format(seq="(SELECT seq FROM next)")} RETURNING seq"""


async def append(conn, stream: int, payload: str) -> int:
    """The stream's next sequence number, recorded with the payload (inside the
    writing transaction: the number is gap-free and in commit order). On PostgreSQL
    the upsert locks the stream's row until COMMIT, so writers on several hosts take
    numbers one after another, never the same one twice."""
    values = {"stream": stream, "payload": payload, "at": time.time()}
    if conn.writes_in_with:
        return (await conn.execute_fetchall(NEXT_AND_LOG, values))[0][0]
    seq = (await conn.execute_fetchall(NEXT_SEQ, values))[0][0]
    await conn.execute(LOG_NUMBERED, {**values, "seq": seq})
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
