"""SQL for retention: which rooms keep history for how long, and deleting old messages
together with every row that points at them."""

from __future__ import annotations

import sqlite3

UPLOAD_PREFIX = "/uploads/chat/"


async def room_retention(conn, room_id: int) -> int | None:
    rows = await conn.execute_fetchall("SELECT retention_days FROM rooms WHERE id = ?", (room_id,))
    return rows[0]["retention_days"] if rows else None


async def set_room_retention(conn, room_id: int, days: int | None) -> None:
    await conn.execute("UPDATE rooms SET retention_days = ? WHERE id = ?", (days, room_id))


async def rooms_with_retention(conn) -> list[sqlite3.Row]:
    return list(
        await conn.execute_fetchall("SELECT id, slug, retention_days FROM rooms ORDER BY id")
    )


async def expired_messages(conn, room_id: int, cutoff: str, limit: int) -> list[sqlite3.Row]:
    return list(
        await conn.execute_fetchall(
            """SELECT id, content, message_type, is_deleted, file_url FROM messages
           WHERE room_id = ? AND created_at < ? ORDER BY id LIMIT ?""",
            (room_id, cutoff, limit),
        )
    )


async def references_to(conn, target: str) -> list[tuple[str, str]]:
    """(table, column) pairs with a foreign key to target's id, from the live schema, so
    tables later migrations add are cleaned up too (each engine reads its own catalog)."""
    return await conn.references_to(target)


async def delete_messages(conn, rows: list[sqlite3.Row]) -> list[str]:
    """Delete these messages and what points at them; the upload names now unreferenced."""
    ids = [(row["id"],) for row in rows]
    # The search index forgets them by trigger (migration 0013).
    for table, column in await references_to(conn, "messages"):
        # A newer reply (sent or scheduled) keeps its text and loses the quoted original.
        if (table, column) == ("messages", "thread_id"):
            # A newer reply outlives its root: it goes back to the room's timeline (a
            # trigger of 0021 counts it there) and the root's thread rows go with the root.
            await conn.executemany(
                "UPDATE messages SET thread_id = NULL, thread_only = 0 WHERE thread_id = ?", ids
            )
        elif column == "reply_to":
            await conn.executemany(
                f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" = ?', ids
            )
        else:
            await conn.executemany(f'DELETE FROM "{table}" WHERE "{column}" = ?', ids)
    await conn.executemany("DELETE FROM messages WHERE id = ?", ids)
    orphaned = []
    for url in {row["file_url"] for row in rows if row["file_url"]}:
        if not url.startswith(UPLOAD_PREFIX):
            continue  # an external link: nothing of ours to delete
        still = await conn.execute_fetchall(
            "SELECT 1 FROM messages WHERE file_url = ? LIMIT 1", (url,)
        )
        if not still:
            name = url.removeprefix(UPLOAD_PREFIX)
            await conn.execute("DELETE FROM uploads WHERE name = ?", (name,))
            orphaned.append(name)
    return orphaned
