"""SQL that lists a thread's replies: keyset ranges on the index messages_thread of
migration 0021, so a page costs the same at any depth and in a thread of any size.
(A room's main timeline is chat/db/messages.py's listing with main_timeline.)"""

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
