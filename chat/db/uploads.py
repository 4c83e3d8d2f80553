"""SQL for uploaded files."""
from __future__ import annotations

import sqlite3

from ..clock import iso_utc


async def insert_upload(conn, name: str, original_name: str, size: int, uploader_id: int) -> None:
    await conn.execute(
        """INSERT INTO uploads (name, original_name, size, uploader_id, created_at)
           VALUES (?, ?, ?, ?, ?)""", (name, original_name, size, uploader_id, iso_utc()))


async def delete_upload(conn, name: str) -> None:
    await conn.execute("DELETE FROM uploads WHERE name = ?", (name,))


async def upload_by_name(conn, name: str) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        "SELECT name, original_name, size FROM uploads WHERE name = ?", (name,))
    return rows[0] if rows else None


async def forget_upload_of(conn, name: str, uploader_id: int | None) -> bool:
    """Drop the record of an upload, only if this user uploaded it."""
    cursor = await conn.execute("DELETE FROM uploads WHERE name = ? AND uploader_id = ?",
                                (name, uploader_id))
    return cursor.rowcount > 0
