"""SQL for rooms: lookups, lists, creation, updates and direct-message keys
(memberships and invitations: chat/db/memberships.py)."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc
from chat.db.memberships import MEMBERSHIP_FIELDS, row_to_membership
from chat.db.users import row_to_user, user_columns
from chat.models import Membership, Room

ROOM_SELECT = f"""
    SELECT r.*, {user_columns("c", "c_")}, r.members AS member_count
    FROM rooms r LEFT JOIN users c ON c.id = r.created_by
"""
# The room a reference names with the caller's membership row, if any (m_ columns):
# every check of a send starts here, and on PostgreSQL one statement is one round trip.
ROOM_WITH_MEMBERSHIP = f"""
    SELECT r.*, {user_columns("c", "c_")}, r.members AS member_count,
           {", ".join(f"m.{c} AS m_{c}" for c in MEMBERSHIP_FIELDS.split(", "))},
           {user_columns("u", "u_")}
    FROM rooms r LEFT JOIN users c ON c.id = r.created_by
         LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = ?
         LEFT JOIN users u ON u.id = m.user_id
"""


def row_to_room(row: sqlite3.Row) -> Room:
    return Room(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        description=row["description"],
        room_type=row["room_type"],
        is_official=bool(row["is_official"]),
        max_members=row["max_members"] or None,
        is_active=bool(row["is_active"]),
        creator=row_to_user(row, "c_"),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        member_count=row["member_count"],
        archived_at=row["archived_at"],
        default_text=bool(row["default_text"]),
        message_count=row["message_count"],
        deleted_at=row["deleted_at"],
        join_notices=row["join_notices"],
        link_previews=bool(row["link_previews"]),
    )


def ref_clause(ref: str | int) -> tuple[str, tuple]:
    """A room reference is its integer id or its slug."""
    text = str(ref).strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:  # "²" and 10**25 are no ids
        return "r.id = ?", (int(text),)
    return "r.slug = ?", (text,)


async def room_by_ref(conn, ref: str | int) -> Room | None:
    clause, params = ref_clause(ref)
    rows = await conn.execute_fetchall(f"{ROOM_SELECT} WHERE {clause} AND r.is_active = 1", params)
    return row_to_room(rows[0]) if rows else None


async def room_and_membership(
    conn, ref: str | int, user_id: int
) -> tuple[Room | None, Membership | None]:
    """The active room a reference names and the user's row in it (ban records
    included), in one statement."""
    clause, params = ref_clause(ref)
    rows = await conn.execute_fetchall(
        f"{ROOM_WITH_MEMBERSHIP} WHERE {clause} AND r.is_active = 1", (user_id, *params)
    )
    if not rows:
        return None, None
    row = rows[0]
    return row_to_room(row), row_to_membership(row, "m_") if row["m_id"] is not None else None


async def room_by_id(conn, room_id: int) -> Room | None:
    return await room_by_ref(conn, room_id)


async def listed_room_rows(
    conn, user_id: int, joined: bool, limit: int | None, offset: int
) -> list[sqlite3.Row]:
    """The user's own rooms (joined) or the public rooms they have not joined, each with
    the user's membership, unread count and last message id: one query; the unread
    count is a difference of two counters, so it costs the same at a million unread
    messages as at none. limit None means all."""
    page = "" if limit is None else "LIMIT :limit OFFSET :offset"
    return list(
        await conn.execute_fetchall(
            f"""SELECT * FROM (
              SELECT r.*, {user_columns("c", "c_")},
                r.members AS member_count,
                mb.id AS mb_id,
                (SELECT MAX(id) FROM messages z WHERE z.room_id = r.id) AS last_message_id,
                CASE WHEN mb.id IS NULL OR r.message_count < mb.seen_count THEN 0
                     ELSE r.message_count - mb.seen_count END AS unread_count,
                CASE WHEN mb.id IS NULL THEN 0 ELSE
                  (SELECT COUNT(*) FROM notifications n
                   WHERE n.user_id = :user AND n.room_id = r.id
                     AND n.notification_type = 'mention'
                     AND n.message_id > mb.last_read_message_id)
                END AS mention_count
              FROM rooms r
              LEFT JOIN users c ON c.id = r.created_by
              LEFT JOIN memberships mb
                ON mb.room_id = r.id AND mb.user_id = :user AND mb.is_banned = 0
              WHERE r.is_active = 1
                AND CASE WHEN :joined = 1 THEN mb.id IS NOT NULL
                         ELSE mb.id IS NULL AND r.room_type = 'public' END) listed
            ORDER BY is_official DESC, id
            {page}""",
            {"user": user_id, "joined": int(joined), "limit": limit, "offset": offset},
        )
    )


async def joined_room_count(conn, user_id: int) -> int:
    rows = await conn.execute_fetchall(
        """SELECT COUNT(*) FROM memberships m JOIN rooms r ON r.id = m.room_id
           WHERE m.user_id = ? AND m.is_banned = 0 AND r.is_active = 1""",
        (user_id,),
    )
    return rows[0][0]


async def insert_room(
    conn,
    slug: str,
    name: str,
    description: str,
    room_type: str,
    is_official: bool,
    max_members: int | None,
    created_by: int,
    direct_key: str | None = None,
) -> int:
    stamp = iso_utc()
    rows = await conn.execute_fetchall(
        """INSERT INTO rooms (slug, name, description, room_type, is_official, max_members,
                              direct_key, created_by, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (
            slug,
            name,
            description,
            room_type,
            int(is_official),
            max_members or 0,
            direct_key,
            created_by,
            stamp,
            stamp,
        ),
    )
    return rows[0][0]


async def update_room(conn, room: Room) -> None:
    """Store the changeable fields of room; a room whose text changed is no longer seeded."""
    await conn.execute(
        """UPDATE rooms SET name = :name, description = :description, room_type = :room_type,
                            max_members = :max_members, archived_at = :archived_at,
                            is_official = :is_official, join_notices = :join_notices,
                            link_previews = :link_previews,
                            default_text = CASE WHEN default_text = 1 AND name = :name
                                                     AND description = :description
                                                THEN 1 ELSE 0 END,
                            updated_at = :now
           WHERE id = :id""",
        {
            "name": room.name,
            "description": room.description,
            "room_type": room.room_type,
            "max_members": room.max_members or 0,
            "archived_at": room.archived_at,
            "is_official": int(room.is_official),
            "join_notices": room.join_notices,
            "link_previews": int(room.link_previews),
            "now": iso_utc(),
            "id": room.id,
        },
    )


async def name_seeded_rooms(conn, name: str, description: str) -> None:
    """Seeded rooms nobody has renamed speak the server's language."""
    await conn.execute(
        "UPDATE rooms SET name = ?, description = ? WHERE default_text = 1", (name, description)
    )


async def deactivate_room(conn, room_id: int) -> None:
    """Soft delete: the row stays, restorable, until the purge (core/deleted_rooms.py)."""
    stamp = iso_utc()
    await conn.execute(
        "UPDATE rooms SET is_active = 0, deleted_at = ?, updated_at = ? WHERE id = ?",
        (stamp, stamp, room_id),
    )


async def direct_room_id(conn, direct_key: str) -> int | None:
    rows = await conn.execute_fetchall(
        "SELECT id FROM rooms WHERE direct_key = ? AND is_active = 1", (direct_key,)
    )
    return rows[0][0] if rows else None


async def release_direct_key(conn, direct_key: str) -> None:
    """A deleted direct room gives up its key, so the two users can open a new one."""
    await conn.execute(
        "UPDATE rooms SET direct_key = NULL WHERE direct_key = ? AND is_active = 0", (direct_key,)
    )


async def rooms_of(conn, user_id: int) -> list[tuple[Room, bool]]:
    """The user's active rooms (ban records excluded), each with the member's mute."""
    rows = await conn.execute_fetchall(
        f"""SELECT * FROM ({ROOM_SELECT}) r JOIN (
                SELECT room_id, is_muted FROM memberships WHERE user_id = ? AND is_banned = 0
            ) mb ON mb.room_id = r.id
            WHERE r.is_active = 1 ORDER BY r.id""",
        (user_id,),
    )
    return [(row_to_room(row), bool(row["is_muted"])) for row in rows]
