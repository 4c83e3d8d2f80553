"""SQL for message search: message ids, newest first, in rooms one user may read.

Terms of three or more characters go through the FTS5 trigram index (plus a LIKE look
at the few newest messages not indexed yet); shorter terms (the trigram index cannot
see them) and the operators (search_query.py) are filters. A query with operators, or
whose every term is short, reads candidates in chunks from the narrowest source
(search_sources.py), of which the readable ones the filters keep are kept (allowed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from chat.models import SearchQuery

# Public rooms and rooms the user is a (not banned) member of; never deleted
# messages, never system notices.
READABLE = """
    r.is_active = 1 AND m.is_deleted = 0 AND m.message_type != 'system'
    AND ((:public AND r.room_type = 'public') OR EXISTS (
        SELECT 1 FROM memberships mb
        WHERE mb.room_id = r.id AND mb.user_id = :user AND mb.is_banned = 0))
"""


@dataclass(frozen=True)
class Scope:
    """A query's names resolved to ids: the rooms in:ROOM names (empty: any room) and
    the person from:NAME names; mention is the lower-cased name mentions: names."""

    room_ids: tuple[int, ...] = ()
    sender_id: int | None = None
    mention: str | None = None
    thread_id: int | None = None  # in:thread:ID: the root and its replies
    public: bool = True  # public rooms not joined are readable (False for a guest)


@dataclass(frozen=True)
class Span:
    """The ids a filtered search reads: [low, high) (the days its dates allow) and,
    when `tail` is given, every id from there up (not indexed yet, so not dated)."""

    low: int = 0
    high: int = 2**62
    tail: int | None = None

    def ranges(self, before: int) -> list[tuple[int, int]]:
        """The [start, end) pieces below `before`, newest first."""
        pieces = []
        if self.tail is not None and before > self.tail:
            pieces.append((self.tail, before))
            before = self.tail
        if min(before, self.high) > self.low:
            pieces.append((self.low, min(before, self.high)))
        return pieces


@dataclass(frozen=True)
class SearchSql:
    """One engine's search SQL, as core's search (chat/core/conversation/search.py) runs
        it: the engine chooses its SQL (chat/db/sqlite_search.py, chat/db/postgres_search.py),
        the core its plan. Each call takes the connection first.

        indexed: the shortest term the engine's text index sees (3: FTS5 trigrams; 2: the
        PostgreSQL bigrams). indexed_upto: the index's high mark (ids above it are read by
        unindexed_ids; PostgreSQL indexes in the storing statement: the newest id).
        word_ids: a search by words alone in one read, (ids, next floor); None: the plan's
        text source reads it like any search. id_range: the [low, high) ids of the days
        [since, until). reader(user_id, query, scope): a search's candidates: .text (whether
        the text index is a source), .count(conn, source, span, before, cap) and
        .chunk(conn, source, span, before, size) -> (the ids every
    condition keeps, candidates read, the oldest read)."""

    indexed: int
    room_ids_named: Callable
    indexed_upto: Callable
    unindexed_ids: Callable
    word_ids: Callable | None
    id_range: Callable
    reader: Callable


HAS_CLAUSES = {
    "link": "(m.content LIKE '%http://%' OR m.content LIKE '%https://%')",
    "file": "m.file_url IS NOT NULL",
    "image": "m.message_type = 'image'",
}
FLAG_CLAUSES = {
    "pinned": "EXISTS (SELECT 1 FROM pins p WHERE p.message_id = m.id)",
    "saved": """EXISTS (SELECT 1 FROM saved_messages s
                        WHERE s.user_id = :user AND s.message_id = m.id)""",
}


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filters(short_terms: list[str], query: SearchQuery, scope: Scope) -> tuple[str, dict]:
    """Extra WHERE clauses (fixed text, values as parameters) for the terms and the
    query's operators."""
    clauses, params = [], {"public": scope.public}
    for number, term in enumerate(short_terms):
        clauses.append(f"m.content LIKE :like{number} ESCAPE '\\'")
        params[f"like{number}"] = like_pattern(term)
    for number, term in enumerate(query.excluded):
        clauses.append(f"m.content NOT LIKE :unlike{number} ESCAPE '\\'")
        params[f"unlike{number}"] = like_pattern(term)
    if scope.room_ids:
        names = [f"in{number}" for number in range(len(scope.room_ids))]
        clauses.append(f"m.room_id IN ({', '.join(':' + name for name in names)})")
        params.update(zip(names, scope.room_ids, strict=True))
    if scope.thread_id is not None:
        clauses.append("(m.thread_id = :thread OR m.id = :thread)")
        params["thread"] = scope.thread_id
    if scope.sender_id is not None:
        clauses.append("m.sender_id = :sender")
        params["sender"] = scope.sender_id
    if scope.mention is not None:
        clauses.append("m.content LIKE :mention ESCAPE '\\'")
        params["mention"] = like_pattern("@" + scope.mention)
    clauses += [HAS_CLAUSES[kind] for kind in sorted(query.has)]
    clauses += [FLAG_CLAUSES[flag] for flag in sorted(query.flags)]
    if query.since is not None:
        clauses.append("m.created_at >= :since")
        params["since"] = query.since
    if query.until is not None:
        clauses.append("m.created_at < :until")
        params["until"] = query.until
    return "".join(f" AND {clause}" for clause in clauses), params


async def indexed_ids(
    conn, user_id: int, match: str, short_terms, query, scope, before: int, limit: int
) -> list[int]:
    """Ids matching an FTS5 query (already quoted), the short terms and the operators."""
    extra, params = filters(short_terms, query, scope)
    rows = await conn.execute_fetchall(
        f"""SELECT m.id FROM messages_fts
            JOIN messages m ON m.id = messages_fts.rowid
            JOIN rooms r ON r.id = m.room_id
            WHERE messages_fts MATCH :match AND messages_fts.rowid < :before
              AND {READABLE} {extra}
            ORDER BY messages_fts.rowid DESC LIMIT :limit""",
        {**params, "user": user_id, "match": match, "before": before, "limit": limit},
    )
    return [row[0] for row in rows]


async def allowed(conn, chunk: list[int], user_id: int, extra: str, params: dict):
    """Of a chunk of candidate ids (newest first), the readable ones the filters keep,
    handed over as one JSON array."""
    if not chunk:
        return []
    rows = await conn.execute_fetchall(
        # CROSS JOIN keeps the chunk the outer loop: left to itself the planner may walk
        # a room's or a person's every message through their index instead.
        f"""SELECT m.id FROM json_each(:chunk) c
            CROSS JOIN messages m ON m.id = c.value
            CROSS JOIN rooms r ON r.id = m.room_id
            WHERE {READABLE} {extra}
            ORDER BY m.id DESC""",
        {**params, "chunk": json.dumps(chunk), "user": user_id},
    )
    return [row[0] for row in rows]


async def unindexed_ids(
    conn, user_id: int, terms: list[str], query, scope, upto: int, before: int, limit: int
) -> list[int]:
    """Ids above the index's high mark (committed within the last moments, not yet
    indexed: chat/db/search_index.py) whose content contains every term: search sees a
    message as soon as it is acknowledged."""
    extra, params = filters(terms, query, scope)
    rows = await conn.execute_fetchall(
        f"""SELECT m.id FROM messages m JOIN rooms r ON r.id = m.room_id
            WHERE m.id > :upto AND m.id < :before
              AND {READABLE} {extra}
            ORDER BY m.id DESC LIMIT :limit""",
        {**params, "user": user_id, "upto": upto, "before": before, "limit": limit},
    )
    return [row[0] for row in rows]


async def room_ids_named(conn, name: str) -> list[int]:
    """Active rooms whose slug or name is `name` (ASCII case-insensitively); whether
    the searcher may read them is the READABLE clause's business."""
    rows = await conn.execute_fetchall(
        """SELECT id FROM rooms WHERE is_active = 1
           AND (lower(slug) = lower(:name) OR lower(name) = lower(:name))
           ORDER BY id LIMIT 20""",
        {"name": name},
    )
    return [row[0] for row in rows]
