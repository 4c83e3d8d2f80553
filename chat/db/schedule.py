"""SQL for scheduled messages and reminders: rows due at a time, and their outcome."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc
from chat.db.messages import message_by_id
from chat.models import Reminder, ScheduledMessage

SCHEDULED_SELECT = """
    SELECT s.*, r.name AS room_name FROM scheduled_messages s JOIN rooms r ON r.id = s.room_id
"""


def row_to_scheduled(row: sqlite3.Row) -> ScheduledMessage:
    return ScheduledMessage(
        id=row["id"],
        user_id=row["user_id"],
        room_id=row["room_id"],
        room_name=row["room_name"],
        content=row["content"],
        reply_to=row["reply_to"],
        send_at=row["send_at"],
        state=row["state"],
        message_id=row["message_id"],
        error=row["error"],
        created_at=row["created_at"],
    )


async def insert_scheduled(
    conn, user_id: int, room_id: int, content: str, reply_to: int | None, send_at: str
) -> int:
    rows = await conn.execute_fetchall(
        """INSERT INTO scheduled_messages (user_id, room_id, content, reply_to, send_at,
                                           created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
        (user_id, room_id, content, reply_to, send_at, iso_utc()),
    )
    return rows[0][0]


async def scheduled_by_id(conn, scheduled_id: int) -> ScheduledMessage | None:
    rows = await conn.execute_fetchall(f"{SCHEDULED_SELECT} WHERE s.id = ?", (scheduled_id,))
    return row_to_scheduled(rows[0]) if rows else None


async def scheduled_of(conn, user_id: int, state: str = "pending") -> list[ScheduledMessage]:
    rows = await conn.execute_fetchall(
        f"{SCHEDULED_SELECT} WHERE s.user_id = ? AND s.state = ? ORDER BY s.send_at, s.id",
        (user_id, state),
    )
    return [row_to_scheduled(row) for row in rows]


async def pending_scheduled_count(conn, user_id: int) -> int:
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM scheduled_messages WHERE user_id = ? AND state = 'pending'",
        (user_id,),
    )
    return rows[0][0]


async def due_scheduled(conn, now: str, limit: int) -> list[ScheduledMessage]:
    rows = await conn.execute_fetchall(
        f"""{SCHEDULED_SELECT} WHERE s.state = 'pending' AND s.send_at <= ?
              AND (s.claimed_until IS NULL OR s.claimed_until <= ?)
            ORDER BY s.send_at, s.id LIMIT ?""",
        (now, now, limit),
    )
    return [row_to_scheduled(row) for row in rows]


async def claim_scheduled(conn, scheduled_id: int, owner: str, now: str, until: str) -> bool:
    """Take a pending row nobody holds (or whose holder's lease is up) until `until`:
    one UPDATE, so of several processes exactly one gets rowcount 1."""
    cursor = await conn.execute(
        """UPDATE scheduled_messages SET claimed_by = ?, claimed_until = ?
           WHERE id = ? AND state = 'pending'
             AND (claimed_until IS NULL OR claimed_until <= ?)""",
        (owner, until, scheduled_id, now),
    )
    return cursor.rowcount > 0


async def finish_scheduled(
    conn, scheduled_id: int, state: str, message_id: int | None = None, error: str | None = None
) -> bool:
    """Move a pending row to its outcome; False when it was no longer pending."""
    cursor = await conn.execute(
        """UPDATE scheduled_messages SET state = ?, message_id = ?, error = ?
           WHERE id = ? AND state = 'pending'""",
        (state, message_id, error, scheduled_id),
    )
    return cursor.rowcount > 0


async def postpone_scheduled(conn, scheduled_id: int, send_at: str) -> None:
    await conn.execute(
        """UPDATE scheduled_messages SET send_at = ?, claimed_by = NULL, claimed_until = NULL
           WHERE id = ? AND state = 'pending'""",
        (send_at, scheduled_id),
    )


async def insert_reminder(conn, user_id: int, message_id: int, remind_at: str) -> int:
    rows = await conn.execute_fetchall(
        """INSERT INTO reminders (user_id, message_id, remind_at, created_at)
           VALUES (?, ?, ?, ?) RETURNING id""",
        (user_id, message_id, remind_at, iso_utc()),
    )
    return rows[0][0]


async def _to_reminders(conn, rows) -> list[Reminder]:
    found = []
    for row in rows:
        message = await message_by_id(conn, row["message_id"])
        found.append(
            Reminder(
                id=row["id"],
                user_id=row["user_id"],
                message=message,
                remind_at=row["remind_at"],
                state=row["state"],
                created_at=row["created_at"],
            )
        )
    return found


async def reminder_by_id(conn, reminder_id: int) -> Reminder | None:
    rows = await conn.execute_fetchall("SELECT * FROM reminders WHERE id = ?", (reminder_id,))
    found = await _to_reminders(conn, rows)
    return found[0] if found else None


async def reminders_of(conn, user_id: int) -> list[Reminder]:
    rows = await conn.execute_fetchall(
        """SELECT * FROM reminders WHERE user_id = ? AND state = 'pending'
           ORDER BY remind_at, id""",
        (user_id,),
    )
    return await _to_reminders(conn, rows)


async def pending_reminder_count(conn, user_id: int) -> int:
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM reminders WHERE user_id = ? AND state = 'pending'", (user_id,)
    )
    return rows[0][0]


async def due_reminders(conn, now: str, limit: int) -> list[Reminder]:
    rows = await conn.execute_fetchall(
        """SELECT * FROM reminders WHERE state = 'pending' AND remind_at <= ?
           ORDER BY remind_at, id LIMIT ?""",
        (now, limit),
    )
    return await _to_reminders(conn, rows)


async def finish_reminder(conn, reminder_id: int, state: str) -> bool:
    cursor = await conn.execute(
        "UPDATE reminders SET state = ? WHERE id = ? AND state = 'pending'", (state, reminder_id)
    )
    return cursor.rowcount > 0


async def next_due(conn) -> str | None:
    """The earliest time anything here (or a status expiry) falls due; a scheduled
    message another process holds, when its claim runs out."""
    rows = await conn.execute_fetchall(
        """SELECT MIN(t) FROM (
             SELECT MIN(CASE WHEN claimed_until > send_at THEN claimed_until ELSE send_at END)
                    AS t FROM scheduled_messages WHERE state = 'pending'
             UNION ALL SELECT MIN(remind_at) FROM reminders WHERE state = 'pending'
             UNION ALL SELECT MIN(expires_at) FROM user_statuses WHERE expires_at IS NOT NULL
           ) due"""
    )
    return rows[0][0]
