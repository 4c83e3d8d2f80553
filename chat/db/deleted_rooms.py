"""SQL for soft-deleted rooms: finding one, bringing it back, and removing its rows for
good once its messages are gone (chat/db/retention.py deletes those, files included)."""

from __future__ import annotations

from chat.clock import iso_utc
from chat.db.retention import references_to
from chat.db.rooms import ROOM_SELECT, row_to_room
from chat.models import Room


async def deleted_room(conn, room_id: int) -> Room | None:
    rows = await conn.execute_fetchall(
        f"{ROOM_SELECT} WHERE r.id = ? AND r.is_active = 0 AND r.deleted_at IS NOT NULL", (room_id,)
    )
    return row_to_room(rows[0]) if rows else None


async def kept_direct_key(conn, room_id: int) -> bool:
    """False once its two people opened a new direct room (moderation.open_direct)."""
    rows = await conn.execute_fetchall("SELECT direct_key FROM rooms WHERE id = ?", (room_id,))
    return bool(rows and rows[0][0])


async def restore_room(conn, room_id: int) -> None:
    await conn.execute(
        "UPDATE rooms SET is_active = 1, deleted_at = NULL, updated_at = ? WHERE id = ?",
        (iso_utc(), room_id),
    )


async def rooms_deleted_before(conn, cutoff: str) -> list[int]:
    rows = await conn.execute_fetchall(
        """SELECT id FROM rooms WHERE is_active = 0 AND deleted_at IS NOT NULL
           AND deleted_at < ? ORDER BY id""",
        (cutoff,),
    )
    return [row[0] for row in rows]


async def delete_room_rows(conn, room_id: int) -> None:
    """The room and every row that names it; its messages must already be gone."""
    for table, column in await references_to(conn, "rooms"):
        await conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (room_id,))
    await conn.execute("DELETE FROM rooms WHERE id = ? AND is_active = 0", (room_id,))
