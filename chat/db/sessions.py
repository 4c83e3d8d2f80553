"""SQL for login sessions (refresh-token families and cookie secrets)."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc


async def insert_session(conn, user_id: int, secret_hash: str, expires_at: int) -> int:
    rows = await conn.execute_fetchall(
        """INSERT INTO sessions (user_id, secret_hash, created_at, expires_at)
           VALUES (?, ?, ?, ?) RETURNING id""",
        (user_id, secret_hash, iso_utc(), expires_at),
    )
    return rows[0][0]


async def session_by_id(conn, session_id: int) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        "SELECT id, user_id, generation, expires_at FROM sessions WHERE id = ?", (session_id,)
    )
    return rows[0] if rows else None


async def session_by_secret(conn, secret_hash: str) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        "SELECT id, user_id, generation, expires_at FROM sessions WHERE secret_hash = ?",
        (secret_hash,),
    )
    return rows[0] if rows else None


async def advance(conn, session_id: int, generation: int, expires_at: int) -> bool:
    """Move the session past generation; False when another refresh already did."""
    cursor = await conn.execute(
        """UPDATE sessions SET generation = generation + 1, expires_at = ?
           WHERE id = ? AND generation = ?""",
        (expires_at, session_id, generation),
    )
    return cursor.rowcount == 1


async def slide(conn, session_id: int, expires_at: int) -> None:
    await conn.execute("UPDATE sessions SET expires_at = ? WHERE id = ?", (expires_at, session_id))


async def delete_session(conn, session_id: int) -> None:
    await conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


async def delete_user_sessions(conn, user_id: int) -> None:
    await conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))


async def delete_expired(conn, user_id: int, now: int) -> None:
    await conn.execute("DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?", (user_id, now))
