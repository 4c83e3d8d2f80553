"""SQL for user statuses (emoji, text, do-not-disturb, expiry)."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc
from chat.models import Status


def row_to_status(row: sqlite3.Row) -> Status:
    return Status(
        user_id=row["user_id"],
        emoji=row["emoji"],
        text=row["text"],
        dnd=bool(row["dnd"]),
        expires_at=row["expires_at"],
        updated_at=row["updated_at"],
    )


async def upsert_status(
    conn, user_id: int, emoji: str, text: str, dnd: bool, expires_at: str | None
) -> None:
    await conn.execute(
        """INSERT INTO user_statuses (user_id, emoji, text, dnd, expires_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET emoji = excluded.emoji, text = excluded.text,
               dnd = excluded.dnd, expires_at = excluded.expires_at,
               updated_at = excluded.updated_at""",
        (user_id, emoji, text, int(dnd), expires_at, iso_utc()),
    )


async def delete_status(conn, user_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM user_statuses WHERE user_id = ?", (user_id,))
    return cursor.rowcount > 0


async def status_of(conn, user_id: int, now: str) -> Status | None:
    rows = await conn.execute_fetchall(
        """SELECT * FROM user_statuses
           WHERE user_id = ? AND (expires_at IS NULL OR expires_at > ?)""",
        (user_id, now),
    )
    return row_to_status(rows[0]) if rows else None


async def statuses_near(conn, user_id: int, now: str) -> list[Status]:
    """Live statuses of the user and of everyone sharing a room with them."""
    rows = await conn.execute_fetchall(
        """SELECT s.* FROM user_statuses s
           WHERE (s.expires_at IS NULL OR s.expires_at > :now)
             AND (s.user_id = :user OR s.user_id IN (
                  SELECT o.user_id FROM memberships mine
                  JOIN memberships o ON o.room_id = mine.room_id AND o.is_banned = 0
                  WHERE mine.user_id = :user AND mine.is_banned = 0))
           ORDER BY s.user_id""",
        {"user": user_id, "now": now},
    )
    return [row_to_status(row) for row in rows]


async def neighbour_ids(conn, user_id: int) -> set[int]:
    """The user and everyone sharing a room with them: who hears their status change."""
    rows = await conn.execute_fetchall(
        """SELECT DISTINCT o.user_id FROM memberships mine
           JOIN memberships o ON o.room_id = mine.room_id AND o.is_banned = 0
           WHERE mine.user_id = ? AND mine.is_banned = 0""",
        (user_id,),
    )
    return {row[0] for row in rows} | {user_id}


async def delete_expired_status(conn, user_id: int, now: str) -> bool:
    """Clear a status whose time is up; False when another process (or the user, with
    a new status) got there first: the expiry is then not told twice."""
    cursor = await conn.execute(
        """DELETE FROM user_statuses
           WHERE user_id = ? AND expires_at IS NOT NULL AND expires_at <= ?""",
        (user_id, now),
    )
    return cursor.rowcount > 0


async def expired_user_ids(conn, now: str) -> list[int]:
    rows = await conn.execute_fetchall(
        "SELECT user_id FROM user_statuses WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,)
    )
    return [row[0] for row in rows]
