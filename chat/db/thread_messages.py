"""SQL that lists messages by thread: a thread's replies, and a room's main timeline
(the room without its thread-only replies), the latter under the names of
chat/db/messages.py's whole-room listing so that history_page reads either. Each is a
keyset range on its own index (messages_thread, messages_timeline of migration 0021),
so a page costs the same at any depth and in a thread of any size."""

from __future__ import annotations

from chat.db.messages import select_messages
from chat.models import Message

TOP = 2**62


async def replies_before(conn, root_id: int, before: int | None, limit: int) -> list[Message]:
    """The newest `limit` replies older than before, listed oldest first."""
    newest_first = await select_messages(
        conn,
        "m.thread_id = ? AND m.id < ?",
        (root_id, before or TOP),
        order="m.id DESC",
        limit=limit,
    )
    return newest_first[::-1]


async def replies_after(conn, root_id: int, after: int, limit: int) -> list[Message]:
    """Oldest first: a thread's resume from a known reply."""
    return await select_messages(
        conn, "m.thread_id = ? AND m.id > ?", (root_id, after), limit=limit
    )


async def has_replies_between(conn, root_id: int, low: int, high: int) -> bool:
    rows = await conn.execute_fetchall(
        "SELECT 1 FROM messages WHERE thread_id = ? AND id > ? AND id < ? LIMIT 1",
        (root_id, low, high),
    )
    return bool(rows)


async def messages_before(conn, room_id: int, before: int | None, limit: int) -> list[Message]:
    """The newest `limit` main-timeline messages older than before, oldest first."""
    newest_first = await select_messages(
        conn,
        "m.room_id = ? AND m.thread_only = 0 AND m.id < ?",
        (room_id, before or TOP),
        order="m.id DESC",
        limit=limit,
    )
    return newest_first[::-1]


async def messages_page(conn, room_id: int, page: int, page_size: int) -> list[Message]:
    """Page 1 is the newest page_size messages of the main timeline (as messages_page)."""
    top = await conn.execute_fetchall(
        "SELECT id FROM messages INDEXED BY messages_timeline "
        "WHERE room_id = ? AND thread_only = 0 ORDER BY id DESC LIMIT 1 OFFSET ?",
        (room_id, (page - 1) * page_size),
    )
    if not top:
        return []
    return await messages_before(conn, room_id, top[0][0] + 1, page_size)


async def count_in_room(conn, room_id: int) -> int:
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM messages INDEXED BY messages_timeline "
        "WHERE room_id = ? AND thread_only = 0",
        (room_id,),
    )
    return rows[0][0]
