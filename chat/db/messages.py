"""SQL for messages, their reactions, edits and read receipts."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections import defaultdict

from chat.clock import iso_utc
from chat.db.threads import THREAD_COLUMNS, row_to_summary, with_repliers
from chat.db.users import row_to_user, user_columns
from chat.models import LinkPreview, Message, Reaction, Room, User

MESSAGE_SELECT = f"""
    SELECT m.*, r.slug AS room_slug, r.name AS room_name, {user_columns("s", "s_")},
           {THREAD_COLUMNS}
    FROM messages m JOIN rooms r ON r.id = m.room_id LEFT JOIN users s ON s.id = m.sender_id
         LEFT JOIN threads t ON t.root_id = m.id
"""


def row_to_message(row: sqlite3.Row) -> Message:
    sender = row_to_user(row, "s_")
    if sender is not None and row["sender_name"]:  # a webhook's per-message name
        sender = dataclasses.replace(sender, display_name=row["sender_name"])
    return Message(
        id=row["id"],
        room_id=row["room_id"],
        room_slug=row["room_slug"],
        room_name=row["room_name"],
        sender=sender,
        message_type=row["message_type"],
        content=row["content"],
        file_url=row["file_url"],
        file_name=row["file_name"],
        file_size=row["file_size"],
        reply_to=row["reply_to"],
        client_id=row["client_id"],
        system_event=row["system_event"],
        is_edited=bool(row["is_edited"]),
        is_deleted=bool(row["is_deleted"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        text_key=row["text_key"],
        mrkdwn=row["mrkdwn"],
        text_params=json.loads(row["text_params"]) if row["text_params"] else None,
        previews=row_previews(row["previews"]),
        thread_id=row["thread_id"],
        thread_only=bool(row["thread_only"]),
        thread=row_to_summary(row),
    )


def row_previews(text: str | None) -> tuple[LinkPreview, ...]:
    return tuple(LinkPreview(**card) for card in json.loads(text)) if text else ()


async def with_reactions(conn, messages: list[Message]) -> list[Message]:
    if not messages:
        return messages
    ids = [m.id for m in messages]
    rows = await conn.execute_fetchall(
        f"""SELECT message_id, emoji, user_id FROM reactions
            WHERE message_id IN ({",".join("?" * len(ids))})
            ORDER BY message_id, created_at, emoji""",
        ids,
    )
    if not rows:
        return messages
    grouped: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for row in rows:
        grouped[row["message_id"]].setdefault(row["emoji"], []).append(row["user_id"])
    return [
        dataclasses.replace(
            m,
            reactions=tuple(
                Reaction(emoji, tuple(users)) for emoji, users in grouped[m.id].items()
            ),
        )
        if m.id in grouped
        else m
        for m in messages
    ]


async def select_messages(
    conn, where: str, params, order: str = "m.id", limit: int | None = None
) -> list[Message]:
    sql = f"{MESSAGE_SELECT} WHERE {where} ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = await conn.execute_fetchall(sql, params)
    found = await with_reactions(conn, [row_to_message(row) for row in rows])
    return await with_repliers(conn, found)


async def message_by_id(conn, message_id: int) -> Message | None:
    found = await select_messages(conn, "m.id = ?", (message_id,))
    return found[0] if found else None


async def messages_by_ids(conn, ids: list[int]) -> dict[int, Message]:
    if not ids:
        return {}
    found = await select_messages(conn, f"m.id IN ({','.join('?' * len(ids))})", ids)
    return {m.id: m for m in found}


async def message_by_client_id(conn, sender_id: int, client_id: str) -> Message | None:
    found = await select_messages(
        conn, "m.sender_id = ? AND m.client_id = ?", (sender_id, client_id)
    )
    return found[0] if found else None


async def messages_after(conn, room_id: int, after_id: int, limit: int) -> list[Message]:
    """Oldest first: the replay of a room from a known point."""
    return await select_messages(
        conn, "m.room_id = ? AND m.id > ?", (room_id, after_id), limit=limit
    )


# main_timeline: the room without its thread-only replies (the page's room view, on the
# partial index messages_timeline of 0021, which SQLite picks for this condition);
# the seeds list the whole room (messages_room).
TIMELINE = {False: "", True: " AND thread_only = 0"}


async def messages_before(
    conn, room_id: int, before_id: int | None, limit: int, main_timeline: bool = False
) -> list[Message]:
    """The newest `limit` messages older than before_id, listed oldest first."""
    newest_first = await select_messages(
        conn,
        "m.room_id = ? AND m.id < ?" + TIMELINE[main_timeline],
        (room_id, before_id or 2**62),
        order="m.id DESC",
        limit=limit,
    )
    return newest_first[::-1]


async def messages_page(
    conn, room_id: int, page: int, page_size: int, main_timeline: bool = False
) -> list[Message]:
    """Page 1 is the newest page_size messages; each page listed oldest first.

    The skipped rows are counted in the (room_id, id) index alone, never joined or
    read; the page itself is then a keyset range below the first id it holds.
    """
    only = TIMELINE[main_timeline]
    top = await conn.execute_fetchall(
        f"SELECT id FROM messages WHERE room_id = ?{only} ORDER BY id DESC LIMIT 1 OFFSET ?",
        (room_id, (page - 1) * page_size),
    )
    if not top:
        return []
    return await messages_before(conn, room_id, top[0][0] + 1, page_size, main_timeline)


async def count_in_room(conn, room_id: int, main_timeline: bool = False) -> int:
    rows = await conn.execute_fetchall(
        f"SELECT COUNT(*) FROM messages WHERE room_id = ?{TIMELINE[main_timeline]}", (room_id,)
    )
    return rows[0][0]


async def count_since(conn, since: str) -> int:
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM messages WHERE created_at >= ?", (since,)
    )
    return rows[0][0]


async def rooms_with_messages_since(conn, since: str) -> set[int]:
    rows = await conn.execute_fetchall(
        # +room_id: an expression, so SQLite ranges over messages_created instead of
        # scanning messages_room for its order (the unary plus is a no-op on PostgreSQL)
        "SELECT DISTINCT +room_id AS room_id FROM messages WHERE created_at >= ?",
        (since,),
    )
    return {row[0] for row in rows}


class DuplicateClientId(Exception):
    """The sender already stored a message with this client_id."""


async def insert_message(
    conn,
    room: Room,
    sender: User | None,
    message_type: str,
    content: str,
    *,
    reply_to: int | None = None,
    client_id: str | None = None,
    system_event: str | None = None,
    file_url: str | None = None,
    file_name: str | None = None,
    file_size: int | None = None,
    sender_name: str | None = None,
    text_key: str | None = None,
    mrkdwn: str | None = None,
    text_params: dict | None = None,
    thread_id: int | None = None,
    thread_only: bool = False,
) -> Message:
    """Insert and return the message as stored, built from what was inserted: the
    send path reads nothing back. A repeated client_id raises DuplicateClientId (the
    unique index decides, so the common case costs no lookup; ON CONFLICT rather than a
    caught error, so PostgreSQL's transaction goes on without a savepoint's two round
    trips)."""
    stamp = iso_utc()
    rows = await conn.execute_fetchall(
        """INSERT INTO messages (room_id, sender_id, message_type, content, system_event,
                                 file_url, file_name, file_size, reply_to, client_id,
                                 sender_name, text_key, mrkdwn, text_params, created_at,
                                 updated_at, thread_id, thread_only)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (sender_id, client_id) WHERE client_id IS NOT NULL DO NOTHING
           RETURNING id""",
        (
            room.id,
            sender.id if sender else None,
            message_type,
            content,
            system_event,
            file_url,
            file_name,
            file_size,
            reply_to,
            client_id,
            sender_name,
            text_key,
            mrkdwn,
            json.dumps(text_params) if text_params else None,
            stamp,
            stamp,
            thread_id,
            int(thread_only),
        ),
    )
    if not rows:  # the sender's client_id is stored already
        raise DuplicateClientId(client_id)
    if sender is not None and sender_name:  # a webhook's per-message name
        sender = dataclasses.replace(sender, display_name=sender_name)
    return Message(
        id=rows[0][0],
        room_id=room.id,
        room_slug=room.slug,
        room_name=room.name,
        sender=sender,
        message_type=message_type,
        content=content,
        file_url=file_url,
        file_name=file_name,
        file_size=file_size,
        reply_to=reply_to,
        client_id=client_id,
        system_event=system_event,
        is_edited=False,
        is_deleted=False,
        created_at=stamp,
        updated_at=stamp,
        text_key=text_key,
        mrkdwn=mrkdwn,
        text_params=text_params,
        thread_id=thread_id,
        thread_only=thread_only,
    )


async def has_more_after(conn, room_id: int, after_id: int, limit: int) -> bool:
    """More than limit messages after after_id (an index range of at most limit + 1)."""
    rows = await conn.execute_fetchall(
        """SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE room_id = ? AND id > ?
                                 LIMIT ?) later""",
        (room_id, after_id, limit + 1),
    )
    return rows[0][0] > limit


async def soft_delete(conn, message_id: int, placeholder: str) -> None:
    """The row stays; its text and any file it carried do not."""
    await conn.execute(
        """UPDATE messages SET is_deleted = 1, content = ?, file_url = NULL, file_name = NULL,
                               file_size = NULL, text_key = 'deleted_placeholder', mrkdwn = NULL,
                               previews = NULL, updated_at = ?
           WHERE id = ?""",
        (placeholder, iso_utc(), message_id),
    )


async def edit_content(conn, message_id: int, content: str, previous: str, editor_id: int) -> None:
    stamp = iso_utc()
    await conn.execute(
        """INSERT INTO message_edits (message_id, previous_content, edited_by, edited_at)
           VALUES (?, ?, ?, ?)""",
        (message_id, previous, editor_id, stamp),
    )
    await conn.execute(
        """UPDATE messages SET content = ?, is_edited = 1, text_key = NULL, mrkdwn = NULL,
                               updated_at = ?
           WHERE id = ?""",
        (content, stamp, message_id),
    )


async def edit_history(conn, message_id: int) -> list[sqlite3.Row]:
    return list(
        await conn.execute_fetchall(
            """SELECT previous_content, edited_by, edited_at FROM message_edits
           WHERE message_id = ? ORDER BY id""",
            (message_id,),
        )
    )


async def record_read(conn, user_id: int, message_id: int) -> None:
    await conn.execute(
        """INSERT INTO message_reads (user_id, message_id, read_at) VALUES (?, ?, ?)
           ON CONFLICT DO NOTHING""",
        (user_id, message_id, iso_utc()),
    )


async def toggle_reaction(conn, message_id: int, user_id: int, emoji: str) -> bool:
    """Add the reaction, or remove it if present; True when added."""
    cursor = await conn.execute(
        "DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
        (message_id, user_id, emoji),
    )
    if cursor.rowcount:
        return False
    await conn.execute(
        "INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)",
        (message_id, user_id, emoji, iso_utc()),
    )
    return True
