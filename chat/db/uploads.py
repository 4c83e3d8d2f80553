"""SQL for uploaded files."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc


async def insert_upload(
    conn, name: str, original_name: str, size: int, uploader_id: int, is_avatar: bool = False
) -> None:
    await conn.execute(
        """INSERT INTO uploads (name, original_name, size, uploader_id, created_at, is_avatar)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (name, original_name, size, uploader_id, iso_utc(), int(is_avatar)),
    )


async def delete_upload(conn, name: str) -> None:
    await conn.execute("DELETE FROM uploads WHERE name = ?", (name,))


async def upload_by_name(conn, name: str) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        """SELECT name, original_name, size, uploader_id, is_avatar FROM uploads
            WHERE name = ?""",
        (name,),
    )
    return rows[0] if rows else None


async def forget_upload_of(conn, name: str, uploader_id: int | None) -> bool:
    """Drop the record of an upload, only if this user uploaded it."""
    cursor = await conn.execute(
        "DELETE FROM uploads WHERE name = ? AND uploader_id = ?", (name, uploader_id)
    )
    return cursor.rowcount > 0


async def rooms_showing(conn, url: str, limit: int = 20) -> list[int]:
    """Rooms with a message (not deleted) that links this file, at most `limit`."""
    rows = await conn.execute_fetchall(
        """SELECT DISTINCT room_id FROM messages
            WHERE file_url = ? AND is_deleted = 0 LIMIT ?""",
        (url, limit),
    )
    return [row[0] for row in rows]
