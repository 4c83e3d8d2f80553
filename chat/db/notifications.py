"""SQL for notifications."""

from __future__ import annotations

import json

from chat.clock import iso_utc


async def insert_notification(
    conn,
    user_id: int,
    notification_type: str,
    title: str,
    content: str,
    room_id: int | None,
    message_id: int | None,
    title_key: str | None = None,
    title_params: dict | None = None,
) -> int:
    rows = await conn.execute_fetchall(
        """INSERT INTO notifications (user_id, notification_type, title, content, room_id,
                                      message_id, title_key, title_params, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (
            user_id,
            notification_type,
            title,
            content,
            room_id,
            message_id,
            title_key,
            json.dumps(title_params, ensure_ascii=False) if title_params else None,
            iso_utc(),
        ),
    )
    return rows[0][0]


async def notification_rows(
    conn, user_id: int, unread_only: bool, limit: int, notification_id: int | None = None
):
    # A deleted room's notifications go with it (and come back if it is restored).
    where = (
        "user_id = ? AND (room_id IS NULL OR room_id IN (SELECT id FROM rooms WHERE is_active = 1))"
    )
    params: list = [user_id]
    if unread_only:
        where += " AND is_read = 0"
    if notification_id is not None:
        where += " AND id = ?"
        params.append(notification_id)
    return list(
        await conn.execute_fetchall(
            f"SELECT * FROM notifications WHERE {where} ORDER BY id DESC LIMIT ?", (*params, limit)
        )
    )


async def mark_read(conn, user_id: int, notification_id: int) -> bool:
    cursor = await conn.execute(
        "UPDATE notifications SET is_read = 1 WHERE id = ? AND user_id = ?",
        (notification_id, user_id),
    )
    return cursor.rowcount > 0


async def mark_room_read(conn, room_id: int) -> None:
    """A deleted room's notifications leave the badge (its counter follows by trigger)."""
    await conn.execute(
        "UPDATE notifications SET is_read = 1 WHERE room_id = ? AND is_read = 0", (room_id,)
    )


async def mark_all_read(conn, user_id: int) -> int:
    cursor = await conn.execute(
        "UPDATE notifications SET is_read = 1 WHERE user_id = ? AND is_read = 0", (user_id,)
    )
    return cursor.rowcount


async def unread_count(conn, user_id: int) -> int:
    """The badge: a counter the notification triggers keep (migration 0004)."""
    rows = await conn.execute_fetchall(
        "SELECT unread_notifications FROM users WHERE id = ?", (user_id,)
    )
    return max(rows[0][0], 0) if rows else 0


async def mark_read_upto(conn, user_id: int, room_id: int, message_id: int) -> int:
    """The user read the room up to this message: what notified them of it is read too,
    except thread-only replies, which are read in their thread (mark_thread_read_upto)."""
    cursor = await conn.execute(
        """UPDATE notifications SET is_read = 1
           WHERE user_id = ? AND room_id = ? AND message_id <= ? AND is_read = 0
             AND NOT EXISTS (SELECT 1 FROM messages m
                             WHERE m.id = notifications.message_id AND m.thread_only = 1)""",
        (user_id, room_id, message_id),
    )
    return cursor.rowcount


async def mark_thread_read_upto(conn, user_id: int, root_id: int, message_id: int) -> int:
    """The user read a thread up to this reply: the notifications about its replies."""
    cursor = await conn.execute(
        """UPDATE notifications SET is_read = 1
           WHERE user_id = ? AND message_id <= ? AND is_read = 0
             AND EXISTS (SELECT 1 FROM messages m
                         WHERE m.id = notifications.message_id AND m.thread_id = ?)""",
        (user_id, message_id, root_id),
    )
    return cursor.rowcount


async def follow_edit(conn, message_id: int, content: str) -> None:
    """Notifications about an edited message quote its new text."""
    await conn.execute(
        "UPDATE notifications SET content = ? WHERE message_id = ?", (content, message_id)
    )
