"""SQL for threads: the per-root counters (threads) and the per-follower counters
(thread_follows). Triggers of migration 0021 move reply_count and seen_count with every
insert and deletion; this module moves read marks, mentions, follows and the repliers.

Unread = reply_count - seen_count, read in constant time; nothing here counts replies
except a read mark moving forward (the replies it newly covers, as rooms do).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3

from chat.clock import iso_utc
from chat.db.users import row_to_user, user_columns
from chat.models import Message, ThreadFollow, ThreadSummary

LAST_REPLIERS = 3
THREAD_COLUMNS = """t.root_id AS t_root_id, t.reply_count AS t_reply_count,
    t.last_reply_id AS t_last_reply_id, t.last_reply_at AS t_last_reply_at,
    t.last_repliers AS t_last_repliers"""
FOLLOW_COLUMNS = """t.root_id, t.room_id, f.user_id IS NOT NULL AS following,
    COALESCE(f.last_read_id, 0) AS last_read_id,
    CASE WHEN f.user_id IS NULL OR t.reply_count < f.seen_count THEN 0
         ELSE t.reply_count - f.seen_count END AS unread,
    COALESCE(f.mention_count, 0) AS mentions"""


def row_to_summary(row: sqlite3.Row) -> ThreadSummary | None:
    """The thread columns of a message row (THREAD_COLUMNS); None for a message no one
    replied to. The repliers are ids here; with_repliers makes them users."""
    if row["t_root_id"] is None:
        return None
    return ThreadSummary(
        root_id=row["t_root_id"],
        room_id=row["room_id"],
        reply_count=row["t_reply_count"],
        last_reply_id=row["t_last_reply_id"],
        last_reply_at=row["t_last_reply_at"],
        replier_ids=tuple(json.loads(row["t_last_repliers"])),
    )


async def with_repliers(conn, messages: list[Message]) -> list[Message]:
    """The last repliers of every root in the list, in one query."""
    ids = {uid for m in messages if m.thread for uid in m.thread.replier_ids}
    if not ids:
        return messages
    rows = await conn.execute_fetchall(
        f"""SELECT {user_columns("u", "")} FROM users u
            WHERE u.id IN ({",".join("?" * len(ids))})""",
        list(ids),
    )
    users = {row["id"]: row_to_user(row) for row in rows}
    return [
        dataclasses.replace(
            m,
            thread=dataclasses.replace(
                m.thread,
                last_repliers=tuple(users[u] for u in m.thread.replier_ids if u in users),
            ),
        )
        if m.thread and m.thread.replier_ids
        else m
        for m in messages
    ]


async def note_replier(conn, root_id: int, user_id: int) -> None:
    """The replier goes first in the root's last repliers (each once)."""
    rows = await conn.execute_fetchall(
        "SELECT last_repliers FROM threads WHERE root_id = ?", (root_id,)
    )
    if not rows:
        return
    earlier = [uid for uid in json.loads(rows[0][0]) if uid != user_id]
    await conn.execute(
        "UPDATE threads SET last_repliers = ? WHERE root_id = ?",
        (json.dumps([user_id, *earlier][:LAST_REPLIERS]), root_id),
    )


async def follow(conn, user_id: int, root_id: int, room_id: int, unread_from: int | None) -> bool:
    """Start following; True when the user did not follow already. unread_from: the id of
    the newest reply, left unread (a mention, a reply to one's thread); None: all read."""
    if unread_from is None:
        upto, unseen = "COALESCE(last_reply_id, 0)", "0"
    else:
        upto, unseen = ":unread_from - 1", "1"
    cursor = await conn.execute(
        f"""INSERT INTO thread_follows
                (user_id, root_id, room_id, last_read_id, seen_count, followed_at)
            SELECT :user, :root, :room, {upto},
                   CASE WHEN reply_count < {unseen} THEN 0 ELSE reply_count - {unseen} END, :now
            FROM (SELECT COALESCE(MAX(last_reply_id), 0) AS last_reply_id,
                         COALESCE(MAX(reply_count), 0) AS reply_count
                  FROM threads WHERE root_id = :root) t
            WHERE true ON CONFLICT DO NOTHING""",
        {
            "user": user_id,
            "root": root_id,
            "room": room_id,
            "unread_from": unread_from,
            "now": iso_utc(),
        },
    )
    return cursor.rowcount > 0


async def unfollow(conn, user_id: int, root_id: int) -> None:
    await conn.execute(
        "DELETE FROM thread_follows WHERE user_id = ? AND root_id = ?", (user_id, root_id)
    )


async def count_mention(conn, root_id: int, user_ids: set[int]) -> None:
    await conn.executemany(
        """UPDATE thread_follows SET mention_count = mention_count + 1
           WHERE root_id = ? AND user_id = ?""",
        [(root_id, uid) for uid in sorted(user_ids)],
    )


async def mark_read(conn, user_id: int, root_id: int, upto: int) -> None:
    """Move the read mark forward; seen_count gains the others' replies newly read.
    Reading up to the last reply clears the mention count."""
    await conn.execute(
        """UPDATE thread_follows SET
             seen_count = seen_count + (
               SELECT COUNT(*) FROM messages y
               WHERE y.thread_id = :root AND y.id > thread_follows.last_read_id
                 AND y.id <= :upto AND y.is_deleted = 0
                 AND (y.sender_id IS NULL OR y.sender_id != :user)),
             mention_count = CASE WHEN :upto >= (SELECT COALESCE(last_reply_id, 0) FROM threads
                                                 WHERE root_id = :root)
                             THEN 0 ELSE mention_count END,
             last_read_id = :upto
           WHERE user_id = :user AND root_id = :root AND last_read_id < :upto""",
        {"user": user_id, "root": root_id, "upto": upto},
    )


def row_to_follow(row: sqlite3.Row) -> ThreadFollow:
    return ThreadFollow(
        root_id=row["root_id"],
        room_id=row["room_id"],
        following=bool(row["following"]),
        last_read_id=row["last_read_id"],
        unread_count=row["unread"],
        mention_count=row["mentions"],
    )


async def follow_state(conn, user_id: int, root_id: int, room_id: int) -> ThreadFollow:
    rows = await conn.execute_fetchall(
        f"""SELECT {FOLLOW_COLUMNS}
            FROM (SELECT CAST(:root AS BIGINT) AS root_id, CAST(:room AS BIGINT) AS room_id,
                         COALESCE((SELECT reply_count FROM threads WHERE root_id = :root), 0)
                           AS reply_count) t
            LEFT JOIN thread_follows f ON f.root_id = t.root_id AND f.user_id = :user""",
        {"user": user_id, "root": root_id, "room": room_id},
    )
    return row_to_follow(rows[0])


async def followers(conn, root_id: int) -> list[tuple[int, ThreadFollow]]:
    """The followers who are still members, with their state (after a change: frames)."""
    rows = await conn.execute_fetchall(
        f"""SELECT f.user_id AS uid, {FOLLOW_COLUMNS}
            FROM thread_follows f JOIN threads t ON t.root_id = f.root_id
            JOIN memberships mb ON mb.room_id = f.room_id AND mb.user_id = f.user_id
            WHERE f.root_id = ? AND mb.is_banned = 0""",
        (root_id,),
    )
    return [(row["uid"], row_to_follow(row)) for row in rows]


async def followed(conn, user_id: int, limit: int, offset: int) -> list[ThreadFollow]:
    """The Threads view: followed threads of rooms the user is still a member of,
    unread first, then the newest reply first."""
    rows = await conn.execute_fetchall(
        f"""SELECT {FOLLOW_COLUMNS}
            FROM thread_follows f JOIN threads t ON t.root_id = f.root_id
            JOIN memberships mb ON mb.room_id = f.room_id AND mb.user_id = f.user_id
            WHERE f.user_id = ? AND mb.is_banned = 0
            ORDER BY t.reply_count > f.seen_count DESC, t.last_reply_id DESC
            LIMIT ? OFFSET ?""",
        (user_id, limit, offset),
    )
    return [row_to_follow(row) for row in rows]


async def followed_totals(conn, user_id: int) -> tuple[int, int]:
    """(threads with unread replies, mentions) over the user's followed threads."""
    rows = await conn.execute_fetchall(
        """SELECT COALESCE(SUM(CASE WHEN t.reply_count > f.seen_count THEN 1 ELSE 0 END), 0),
                  COALESCE(SUM(f.mention_count), 0)
           FROM thread_follows f JOIN threads t ON t.root_id = f.root_id
           JOIN memberships mb ON mb.room_id = f.room_id AND mb.user_id = f.user_id
           WHERE f.user_id = ? AND mb.is_banned = 0""",
        (user_id,),
    )
    return rows[0][0], rows[0][1]


def settle_imported(conn: sqlite3.Connection) -> None:
    """After an import (a plain sqlite3 connection, inside its transaction): those who
    started or replied in a thread follow it with everything read, and each root knows
    its last repliers. The counters themselves were kept by the triggers."""
    conn.execute(
        """INSERT INTO thread_follows
               (user_id, root_id, room_id, last_read_id, seen_count, followed_at)
           SELECT m.sender_id, t.root_id, t.room_id, COALESCE(t.last_reply_id, 0),
                  t.reply_count, COALESCE(t.last_reply_at, m.created_at)
           FROM threads t JOIN messages m ON m.thread_id = t.root_id
           WHERE m.sender_id IS NOT NULL
           UNION ALL
           SELECT m.sender_id, t.root_id, t.room_id, COALESCE(t.last_reply_id, 0),
                  t.reply_count, COALESCE(t.last_reply_at, m.created_at)
           FROM threads t JOIN messages m ON m.id = t.root_id
           WHERE m.sender_id IS NOT NULL
           ON CONFLICT DO NOTHING"""
    )
    repliers: dict[int, list[int]] = {}
    for root_id, sender_id in conn.execute(
        """SELECT thread_id, sender_id FROM messages
           WHERE thread_id IS NOT NULL AND sender_id IS NOT NULL AND is_deleted = 0
           ORDER BY thread_id, id DESC"""
    ):
        newest = repliers.setdefault(root_id, [])
        if sender_id not in newest and len(newest) < LAST_REPLIERS:
            newest.append(sender_id)
    conn.executemany(
        "UPDATE threads SET last_repliers = ? WHERE root_id = ?",
        [(json.dumps(ids), root_id) for root_id, ids in repliers.items()],
    )
