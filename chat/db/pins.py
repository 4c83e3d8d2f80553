"""SQL for pinned messages (per room) and saved messages (per user)."""

from __future__ import annotations

from chat.clock import iso_utc
from chat.db.messages import messages_by_ids
from chat.db.users import user_by_id


async def insert_pin(conn, room_id: int, message_id: int, user_id: int) -> bool:
    """True when the message was not pinned before."""
    cursor = await conn.execute(
        """INSERT INTO pins (message_id, room_id, pinned_by, pinned_at)
           VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
        (message_id, room_id, user_id, iso_utc()),
    )
    return cursor.rowcount > 0


async def delete_pin(conn, message_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM pins WHERE message_id = ?", (message_id,))
    return cursor.rowcount > 0


async def pin_count(conn, room_id: int) -> int:
    rows = await conn.execute_fetchall("SELECT COUNT(*) FROM pins WHERE room_id = ?", (room_id,))
    return rows[0][0]


async def pin_rows(conn, room_id: int, message_id: int | None = None) -> list:
    """(message, pinned_by user, pinned_at) of the room's pins, newest pin first."""
    where, params = "room_id = ?", [room_id]
    if message_id is not None:
        where += " AND message_id = ?"
        params.append(message_id)
    rows = await conn.execute_fetchall(
        f"SELECT * FROM pins WHERE {where} ORDER BY pinned_at DESC, message_id DESC", params
    )
    return await _with_messages(conn, rows, "pinned_at", "pinned_by")


async def insert_saved(conn, user_id: int, message_id: int) -> bool:
    cursor = await conn.execute(
        """INSERT INTO saved_messages (user_id, message_id, saved_at) VALUES (?, ?, ?)
           ON CONFLICT DO NOTHING""",
        (user_id, message_id, iso_utc()),
    )
    return cursor.rowcount > 0


async def delete_saved(conn, user_id: int, message_id: int) -> bool:
    cursor = await conn.execute(
        "DELETE FROM saved_messages WHERE user_id = ? AND message_id = ?", (user_id, message_id)
    )
    return cursor.rowcount > 0


async def saved_count(conn, user_id: int) -> int:
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM saved_messages WHERE user_id = ?", (user_id,)
    )
    return rows[0][0]


async def saved_rows(conn, user_id: int, limit: int, public: bool = True) -> list:
    """(message, None, saved_at) of the user's saved messages in rooms they still belong
    to (a public room's too, when public: not for a guest), newest first."""
    rows = await conn.execute_fetchall(
        """SELECT s.message_id, s.saved_at FROM saved_messages s
           JOIN messages m ON m.id = s.message_id JOIN rooms r ON r.id = m.room_id
           LEFT JOIN memberships mb ON mb.room_id = m.room_id AND mb.user_id = s.user_id
           WHERE s.user_id = ? AND r.is_active = 1 AND m.is_deleted = 0
             AND ((mb.id IS NOT NULL AND mb.is_banned = 0)
                  OR (? AND r.room_type = 'public' AND mb.id IS NULL))
           ORDER BY s.saved_at DESC, s.message_id DESC LIMIT ?""",
        (user_id, public, limit),
    )
    return await _with_messages(conn, rows, "saved_at", None)


async def forget_message(conn, message_id: int) -> bool:
    """A deleted message leaves every pin and saved list; True when it was pinned."""
    await conn.execute("DELETE FROM saved_messages WHERE message_id = ?", (message_id,))
    return await delete_pin(conn, message_id)


async def _with_messages(conn, rows, stamp: str, by: str | None) -> list:
    if not rows:
        return []
    ids = [row["message_id"] for row in rows]
    found = await messages_by_ids(conn, ids)
    users = {}
    if by:
        for uid in {row[by] for row in rows if row[by]}:
            users[uid] = await user_by_id(conn, uid)
    return [
        (found[row["message_id"]], users.get(row[by]) if by else None, row[stamp])
        for row in rows
        if row["message_id"] in found
    ]
