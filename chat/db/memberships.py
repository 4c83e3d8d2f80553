"""SQL for memberships, invitations, read marks and notification levels: who is in a
room and how they follow it (chat/db/rooms.py holds the rooms themselves)."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc
from chat.db.users import row_to_user, user_columns
from chat.models import Membership

MEMBERSHIP_SELECT = f"""
    SELECT m.*, {user_columns("u", "u_")}
    FROM memberships m JOIN users u ON u.id = m.user_id
"""

MEMBERSHIP_FIELDS = (
    "id, room_id, role, joined_at, last_read_at, last_read_message_id, is_muted, is_banned, "
    "notify_level, room_muted"
)


def row_to_membership(row: sqlite3.Row, prefix: str = "") -> Membership:
    return Membership(
        id=row[prefix + "id"],
        room_id=row[prefix + "room_id"],
        user=row_to_user(row, "u_"),
        role=row[prefix + "role"],
        joined_at=row[prefix + "joined_at"],
        last_read_at=row[prefix + "last_read_at"],
        last_read_message_id=row[prefix + "last_read_message_id"],
        is_muted=bool(row[prefix + "is_muted"]),
        is_banned=bool(row[prefix + "is_banned"]),
        notify_level=row[prefix + "notify_level"],
        room_muted=bool(row[prefix + "room_muted"]),
    )


async def membership(conn, room_id: int, user_id: int) -> Membership | None:
    """The user's row in the room, ban records included."""
    rows = await conn.execute_fetchall(
        f"{MEMBERSHIP_SELECT} WHERE m.room_id = ? AND m.user_id = ?", (room_id, user_id)
    )
    return row_to_membership(rows[0]) if rows else None


async def memberships_of(conn, user_id: int) -> dict[int, Membership]:
    """The user's memberships, ban records excluded, by room id."""
    rows = await conn.execute_fetchall(
        f"{MEMBERSHIP_SELECT} WHERE m.user_id = ? AND m.is_banned = 0", (user_id,)
    )
    return {row["room_id"]: row_to_membership(row) for row in rows}


async def members(conn, room_id: int) -> list[Membership]:
    rows = await conn.execute_fetchall(
        f"{MEMBERSHIP_SELECT} WHERE m.room_id = ? AND m.is_banned = 0 ORDER BY m.id", (room_id,)
    )
    return [row_to_membership(row) for row in rows]


async def member_ids(conn, room_id: int) -> list[int]:
    rows = await conn.execute_fetchall(
        "SELECT user_id FROM memberships WHERE room_id = ? AND is_banned = 0 ORDER BY id",
        (room_id,),
    )
    return [row[0] for row in rows]


async def member_ids_by_room(conn, room_ids: list[int]) -> dict[int, list[int]]:
    """Member ids of several rooms in one query, each list in joining order."""
    found: dict[int, list[int]] = {room_id: [] for room_id in room_ids}
    if room_ids:
        rows = await conn.execute_fetchall(
            f"""SELECT room_id, user_id FROM memberships
                WHERE room_id IN ({",".join("?" * len(room_ids))}) AND is_banned = 0
                ORDER BY id""",
            room_ids,
        )
        for row in rows:
            found[row[0]].append(row[1])
    return found


async def member_count(conn, room_id: int) -> int:
    rows = await conn.execute_fetchall("SELECT members FROM rooms WHERE id = ?", (room_id,))
    return rows[0][0] if rows else 0


async def admin_count(conn, room_id: int) -> int:
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM memberships WHERE room_id = ? AND role = 'admin' AND is_banned = 0",
        (room_id,),
    )
    return rows[0][0]


async def insert_membership(conn, room_id: int, user_id: int, role: str) -> None:
    stamp = iso_utc()
    # A newcomer starts with everything already there read: unread counts what is new.
    await conn.execute(
        """INSERT INTO memberships (room_id, user_id, role, joined_at, last_read_at,
                                    last_read_message_id, seen_count)
           VALUES (?, ?, ?, ?, ?,
                   (SELECT COALESCE(MAX(id), 0) FROM messages WHERE room_id = ?),
                   (SELECT message_count FROM rooms WHERE id = ?))""",
        (room_id, user_id, role, stamp, stamp, room_id, room_id),
    )


async def delete_membership(conn, room_id: int, user_id: int) -> None:
    await conn.execute(
        "DELETE FROM memberships WHERE room_id = ? AND user_id = ?", (room_id, user_id)
    )


async def update_membership(
    conn, room_id: int, user_id: int, role: str, is_muted: bool, is_banned: bool
) -> None:
    await conn.execute(
        """UPDATE memberships SET role = ?, is_muted = ?, is_banned = ?
           WHERE room_id = ? AND user_id = ?""",
        (role, int(is_muted), int(is_banned), room_id, user_id),
    )


async def mark_read(conn, room_id: int, user_id: int, message_id: int) -> None:
    """Move the read mark forward; seen_count gains the others' countable messages
    newly read (each message is counted once per member, when it is read)."""
    params = {"room": room_id, "user": user_id, "upto": message_id, "now": iso_utc()}
    await conn.execute(
        """UPDATE memberships SET
             seen_count = seen_count + (
               SELECT COUNT(*) FROM messages y
               WHERE y.room_id = :room AND y.id > memberships.last_read_message_id
                 AND y.id <= :upto AND y.message_type != 'system' AND y.is_deleted = 0
                 AND y.thread_only = 0
                 AND (y.sender_id IS NULL OR y.sender_id != :user)),
             last_read_message_id = :upto
           WHERE room_id = :room AND user_id = :user AND last_read_message_id < :upto""",
        params,
    )
    await conn.execute(
        "UPDATE memberships SET last_read_at = :now WHERE room_id = :room AND user_id = :user",
        params,
    )


async def unread_count(conn, room_id: int, user_id: int) -> int:
    rows = await conn.execute_fetchall(
        """SELECT CASE WHEN r.message_count < mb.seen_count THEN 0
                       ELSE r.message_count - mb.seen_count END
           FROM memberships mb
           JOIN rooms r ON r.id = mb.room_id
           WHERE mb.room_id = ? AND mb.user_id = ?""",
        (room_id, user_id),
    )
    return rows[0][0] if rows else 0


async def insert_invitation(conn, room_id: int, user_id: int, invited_by: int) -> None:
    await conn.execute(
        """INSERT INTO invitations (room_id, user_id, invited_by, created_at)
           VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
        (room_id, user_id, invited_by, iso_utc()),
    )


async def delete_invitation(conn, room_id: int, user_id: int) -> bool:
    cursor = await conn.execute(
        "DELETE FROM invitations WHERE room_id = ? AND user_id = ?", (room_id, user_id)
    )
    return cursor.rowcount > 0


async def has_invitation(conn, room_id: int, user_id: int) -> bool:
    rows = await conn.execute_fetchall(
        "SELECT 1 FROM invitations WHERE room_id = ? AND user_id = ?", (room_id, user_id)
    )
    return bool(rows)


async def notify_levels(conn, room_id: int) -> dict[int, str]:
    """Members whose notification level for the room is not 'default'."""
    rows = await conn.execute_fetchall(
        """SELECT user_id, notify_level FROM memberships
           WHERE room_id = ? AND is_banned = 0 AND notify_level != 'default'""",
        (room_id,),
    )
    return {row[0]: row[1] for row in rows}


async def update_notify(
    conn, room_id: int, user_id: int, notify_level: str, room_muted: bool
) -> None:
    await conn.execute(
        "UPDATE memberships SET notify_level = ?, room_muted = ? WHERE room_id = ? AND user_id = ?",
        (notify_level, int(room_muted), room_id, user_id),
    )
