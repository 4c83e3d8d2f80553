"""SQL for message search: message ids, newest first, in rooms one user may read.

Terms of three or more characters go through the FTS5 trigram index (plus a LIKE look
at the few newest messages not indexed yet); shorter terms (the trigram index cannot
see them) are LIKE filters. When every term is short, a
LIKE scan reads a bounded window: the newest messages before a point, of which the
readable ones are kept.
"""

from __future__ import annotations

# Public rooms (when :public: not for a guest) and rooms the user is a (not banned)
# member of; never deleted messages, never system notices.
READABLE = """
    r.is_active = 1 AND m.is_deleted = 0 AND m.message_type != 'system'
    AND ((:public AND r.room_type = 'public') OR EXISTS (
        SELECT 1 FROM memberships mb
        WHERE mb.room_id = r.id AND mb.user_id = :user AND mb.is_banned = 0))
"""


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filters(short_terms: list[str], room_id: int | None) -> tuple[str, dict]:
    """Extra WHERE clauses (fixed text, values as parameters) for terms and room."""
    clauses, params = [], {}
    for number, term in enumerate(short_terms):
        clauses.append(f"m.content LIKE :like{number} ESCAPE '\\'")
        params[f"like{number}"] = like_pattern(term)
    if room_id is not None:
        clauses.append("m.room_id = :room")
        params["room"] = room_id
    return "".join(f" AND {clause}" for clause in clauses), params


async def indexed_ids(
    conn,
    user_id: int,
    match: str,
    short_terms: list[str],
    room_id: int | None,
    before: int,
    limit: int,
    public: bool = True,
) -> list[int]:
    """Ids matching an FTS5 query (already quoted) and the short terms."""
    extra, params = filters(short_terms, room_id)
    rows = await conn.execute_fetchall(
        f"""SELECT m.id FROM messages_fts
            JOIN messages m ON m.id = messages_fts.rowid
            JOIN rooms r ON r.id = m.room_id
            WHERE messages_fts MATCH :match AND messages_fts.rowid < :before
              AND {READABLE} {extra}
            ORDER BY messages_fts.rowid DESC LIMIT :limit""",
        {
            **params,
            "user": user_id,
            "public": public,
            "match": match,
            "before": before,
            "limit": limit,
        },
    )
    return [row[0] for row in rows]


async def unindexed_ids(
    conn,
    user_id: int,
    terms: list[str],
    room_id: int | None,
    before: int,
    limit: int,
    public: bool = True,
) -> list[int]:
    """Ids above the index's high mark (committed within the last moments, not yet
    indexed: chat/db/search_index.py) whose content contains every term: search sees a
    message as soon as it is acknowledged."""
    extra, params = filters(terms, room_id)
    rows = await conn.execute_fetchall(
        f"""SELECT m.id FROM messages m JOIN rooms r ON r.id = m.room_id
            WHERE m.id > (SELECT upto FROM search_indexed) AND m.id < :before
              AND {READABLE} {extra}
            ORDER BY m.id DESC LIMIT :limit""",
        {**params, "user": user_id, "public": public, "before": before, "limit": limit},
    )
    return [row[0] for row in rows]


def window_sql(room_id: int | None) -> str:
    """The newest `:window` messages before `:before` (of one room, if given), readable
    or not: the rows a scan reads are bounded whatever the searcher may read."""
    room = " AND room_id = :room" if room_id is not None else ""
    return f"""SELECT id, room_id, content, is_deleted, message_type FROM messages
               WHERE id < :before{room} ORDER BY id DESC LIMIT :window"""


async def scanned_ids(
    conn,
    user_id: int,
    short_terms: list[str],
    room_id: int | None,
    before: int,
    limit: int,
    window: int,
    public: bool = True,
) -> list[int]:
    """Readable ids in the scan window whose content contains every term."""
    extra, params = filters(short_terms, room_id)
    rows = await conn.execute_fetchall(
        f"""SELECT m.id FROM ({window_sql(room_id)}) m JOIN rooms r ON r.id = m.room_id
            WHERE {READABLE}{extra} ORDER BY m.id DESC LIMIT :limit""",
        {
            **params,
            "user": user_id,
            "public": public,
            "before": before,
            "window": window,
            "limit": limit,
        },
    )
    return [row[0] for row in rows]


async def window_floor(conn, room_id: int | None, before: int, window: int) -> int | None:
    """The oldest id of a full scan window (where a next scan starts), else None."""
    rows = await conn.execute_fetchall(
        f"SELECT COUNT(*), MIN(id) FROM ({window_sql(room_id)})",
        {"room": room_id, "before": before, "window": window},
    )
    count, floor = rows[0]
    return floor if count >= window else None
