"""SQL for the joins and leaves of large rooms waiting for their coalesced notice."""

from __future__ import annotations

from chat.db.users import row_to_user, user_columns
from chat.models import User


async def insert_pending(conn, room_id: int, user_id: int, event: str, at: float) -> None:
    await conn.execute(
        "INSERT INTO member_notices (room_id, user_id, event, noted_at) VALUES (?, ?, ?, ?)",
        (room_id, user_id, event, at),
    )


async def due_rooms(conn, cutoff: float) -> list[int]:
    """Rooms whose oldest waiting join or leave was noted at or before cutoff."""
    rows = await conn.execute_fetchall(
        """SELECT room_id FROM member_notices GROUP BY room_id HAVING MIN(noted_at) <= ?""",
        (cutoff,),
    )
    return [row[0] for row in rows]


async def take_due(conn, room_id: int, cutoff: float) -> list[tuple[str, User]]:
    """Inside a write transaction: every waiting (event, person) of the room, oldest
    first, removed; nothing when the room is not due (another process took them)."""
    rows = await conn.execute_fetchall(
        f"""SELECT n.id AS notice_id, n.event, n.noted_at, {user_columns("u", "u_")}
            FROM member_notices n JOIN users u ON u.id = n.user_id
            WHERE n.room_id = ? ORDER BY n.id""",
        (room_id,),
    )
    if not rows or min(row["noted_at"] for row in rows) > cutoff:
        return []
    await conn.execute(
        "DELETE FROM member_notices WHERE room_id = ? AND id <= ?", (room_id, rows[-1]["notice_id"])
    )
    return [(row["event"], row_to_user(row, "u_")) for row in rows]
