"""SQL for incoming webhooks and bots (their keys are stored as SHA-256 digests)."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc
from chat.db.users import row_to_user, user_columns
from chat.models import Bot, Hook

# Whether the hook's creator may post in its room right now: an active account, not
# banned or muted there, and a member (or the room is public, where posting joins).
CREATOR_CAN_POST = """
    (SELECT c.is_active = 1
            AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.room_id = h.room_id
                            AND m.user_id = c.id AND (m.is_banned = 1 OR m.is_muted = 1))
            AND (r.room_type = 'public'
                 OR EXISTS (SELECT 1 FROM memberships m WHERE m.room_id = h.room_id
                            AND m.user_id = c.id))
     FROM users c JOIN rooms r ON r.id = h.room_id WHERE c.id = h.created_by)
"""
HOOK_SELECT = f"""
    SELECT h.*, {user_columns("u", "u_")}, {CREATOR_CAN_POST} AS creator_can_post
    FROM hooks h JOIN users u ON u.id = h.bot_id
"""
BOT_SELECT = f"""
    SELECT b.*, {user_columns("u", "u_")} FROM bots b JOIN users u ON u.id = b.user_id
"""


def row_to_hook(row: sqlite3.Row) -> Hook:
    return Hook(
        id=row["id"],
        room_id=row["room_id"],
        name=row["name"],
        bot=row_to_user(row, "u_"),
        created_by=row["created_by"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        active=bool(row["creator_can_post"]),
    )


def row_to_bot(row: sqlite3.Row) -> Bot:
    return Bot(
        user=row_to_user(row, "u_"), outgoing_url=row["outgoing_url"], created_at=row["created_at"]
    )


async def insert_hook(
    conn, room_id: int, bot_id: int, name: str, key_digest: str, created_by: int
) -> int:
    rows = await conn.execute_fetchall(
        """INSERT INTO hooks (room_id, bot_id, name, key_digest, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
        (room_id, bot_id, name, key_digest, created_by, iso_utc()),
    )
    return rows[0][0]


async def hook_by_id(conn, room_id: int, hook_id: int) -> Hook | None:
    rows = await conn.execute_fetchall(
        f"{HOOK_SELECT} WHERE h.id = ? AND h.room_id = ?", (hook_id, room_id)
    )
    return row_to_hook(rows[0]) if rows else None


async def hook_by_digest(conn, key_digest: str) -> Hook | None:
    rows = await conn.execute_fetchall(f"{HOOK_SELECT} WHERE h.key_digest = ?", (key_digest,))
    return row_to_hook(rows[0]) if rows else None


async def hooks_of_room(conn, room_id: int) -> list[Hook]:
    rows = await conn.execute_fetchall(
        f"{HOOK_SELECT} WHERE h.room_id = ? ORDER BY h.id", (room_id,)
    )
    return [row_to_hook(row) for row in rows]


async def hook_counts(conn, room_id: int, created_by: int) -> tuple[int, int]:
    """(hooks in the room, hooks the user has made anywhere)."""
    rows = await conn.execute_fetchall(
        """SELECT (SELECT COUNT(*) FROM hooks WHERE room_id = ?),
                  (SELECT COUNT(*) FROM hooks WHERE created_by = ?)""",
        (room_id, created_by),
    )
    return rows[0][0], rows[0][1]


async def rename_hook(conn, hook: Hook, name: str) -> None:
    await conn.execute("UPDATE hooks SET name = ? WHERE id = ?", (name, hook.id))
    await conn.execute(
        "UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?",
        (name, iso_utc(), hook.bot.id),
    )


async def set_hook_digest(conn, hook_id: int, key_digest: str) -> None:
    await conn.execute("UPDATE hooks SET key_digest = ? WHERE id = ?", (key_digest, hook_id))


async def touch_hook(conn, hook_id: int) -> None:
    await conn.execute("UPDATE hooks SET last_used_at = ? WHERE id = ?", (iso_utc(), hook_id))


async def delete_hook(conn, hook: Hook) -> None:
    """The hook's bot user stays (its messages name it) but leaves the room."""
    await conn.execute("DELETE FROM hooks WHERE id = ?", (hook.id,))
    await conn.execute(
        "DELETE FROM memberships WHERE room_id = ? AND user_id = ?", (hook.room_id, hook.bot.id)
    )


async def insert_bot(
    conn, user_id: int, token_digest: str, outgoing_url: str | None, created_by: int
) -> None:
    await conn.execute(
        """INSERT INTO bots (user_id, token_digest, outgoing_url, created_by, created_at)
           VALUES (?, ?, ?, ?, ?)""",
        (user_id, token_digest, outgoing_url, created_by, iso_utc()),
    )


async def bot_by_id(conn, user_id: int) -> Bot | None:
    rows = await conn.execute_fetchall(f"{BOT_SELECT} WHERE b.user_id = ?", (user_id,))
    return row_to_bot(rows[0]) if rows else None


async def bot_digest(conn, user_id: int) -> str | None:
    rows = await conn.execute_fetchall(
        "SELECT token_digest FROM bots WHERE user_id = ?", (user_id,)
    )
    return rows[0][0] if rows else None


async def all_bots(conn) -> list[Bot]:
    rows = await conn.execute_fetchall(f"{BOT_SELECT} ORDER BY b.user_id")
    return [row_to_bot(row) for row in rows]


async def update_bot(conn, user_id: int, outgoing_url: str | None, token_digest: str) -> None:
    await conn.execute(
        "UPDATE bots SET outgoing_url = ?, token_digest = ? WHERE user_id = ?",
        (outgoing_url, token_digest, user_id),
    )


async def delete_bot(conn, user_id: int) -> None:
    await conn.execute("DELETE FROM bots WHERE user_id = ?", (user_id,))
