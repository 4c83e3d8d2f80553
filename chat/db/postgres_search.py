"""Message search on PostgreSQL (issue 32): the answers of the SQLite search
(chat/core/conversation/search.py over chat/db/search.py), newest first, through the
character-bigram index of migration 0030 (postgres/0030_search_postgres.sql).

pg_trgm cannot index a term shorter than three characters, and Chinese words are often
two (部署, 会议). The index holds each message's lower-cased bigrams; a term of two or
more characters can only be in a message holding all of its bigrams, and strpos on the
lower-cased content then removes the false positives. Every term, phrase, exclusion and
operator is also a plain condition on the row, so both ways of reading find the same
rows:

1. Windows of the newest messages before `before` (of the in: room, else of the from:
   person, else of all: window_sql), ten rows per id asked for, then
   twice as many, and so on, with every condition tested on each row. A common word
   fills its page from the first window without the index: GIN hands its matches back
   in no useful order, and fetching and sorting the 200,000 matches of 部署 in a
   million messages costs 500 ms.
2. When the words are rare in what the windows read (at most INDEX_ROWS matches
   expected further back), the rest of the page comes from the GIN index, every
   condition checked on each candidate. Otherwise the windows go on up to SCAN_WINDOW
   rows, and the oldest read is where the next page starts (next_before): a common word
   under a filter that keeps almost nothing costs a bounded read, as on SQLite.

A page may so reach further back than SQLite's (whose windows count rows, not matches),
but the pages, read to the end, list the same messages in the same order.
Case: lower() on both sides, for every script the database's locale knows.
"""

from __future__ import annotations

from dataclasses import replace

from chat.db.search import READABLE, Scope, filters
from chat.models import SearchQuery

FIRST_WINDOW = 10  # rows in the first window per id asked for; each next one doubles
SCAN_WINDOW = 20_000  # rows read in windows per page at most (as SQLite's search)
INDEX_ROWS = 10_000  # matches the index may hand back for one page at most (estimated)
CONTAINS = "strpos(lower(m.content), lower(:{name})) > 0"


def serves(conn) -> bool:
    """Whether `conn` is a PostgreSQL connection (the engine's adapter says so)."""
    return getattr(conn, "engine", None) == "postgres"


def conditions(query: SearchQuery, scope: Scope) -> tuple[str, str, dict]:
    """(the words' conditions, every other condition but READABLE, parameters).
    The operators' SQL is chat/db/search.py's where it runs the same on both engines;
    the text tests (LIKE folds ASCII case on SQLite, not on PostgreSQL) are strpos."""
    extra, params = filters(
        [], replace(query, excluded=(), has=query.has - {"link"}), replace(scope, mention=None)
    )
    words = [CONTAINS.format(name=f"term{n}") for n in range(len(query.terms))]
    params.update({f"term{n}": term for n, term in enumerate(query.terms)})
    others = [f"NOT {CONTAINS.format(name=f'unterm{n}')}" for n in range(len(query.excluded))]
    params.update({f"unterm{n}": term for n, term in enumerate(query.excluded)})
    if "link" in query.has:
        others.append(
            "(strpos(lower(m.content), 'http://') > 0 OR strpos(lower(m.content), 'https://') > 0)"
        )
    if scope.mention is not None:
        others.append(CONTAINS.format(name="mention"))
        params["mention"] = "@" + scope.mention
    text = " AND ".join(words) or "TRUE"
    return text, extra + "".join(f" AND {clause}" for clause in others), params


def bigrams(query: SearchQuery) -> str | None:
    """The bigrams every match holds, as SQL (computed by the index's own function, so
    lower() is the same on both sides); None when no term has two characters."""
    grams = [f"chat_grams(:term{n})" for n, term in enumerate(query.terms) if len(term) >= 2]
    return " || ".join(grams) or None


def window_sql(scope: Scope) -> tuple[str, dict]:
    """The newest `:size` rows before `:before` of one room (in:), else of one sender
    (from:), else of all, as chat/db/search.py's chunk_sql, but whole rows (ids joined
    back became a hash join over the table) and ordered as the narrowing index is: told
    only `ORDER BY id`, PostgreSQL walked the primary key and dropped 19 rows in 20."""
    if len(scope.room_ids) == 1:
        key, narrow = "room_id", {"chunk_key": scope.room_ids[0]}
    elif scope.sender_id is not None:
        key, narrow = "sender_id", {"chunk_key": scope.sender_id}
    else:
        return "SELECT * FROM messages WHERE id < :before ORDER BY id DESC LIMIT :size", {}
    return (
        f"""SELECT * FROM messages WHERE {key} = :chunk_key AND id < :before
            ORDER BY {key} DESC, id DESC LIMIT :size""",
        narrow,
    )


async def window(conn, source: str, bounds: dict, text: str, extra: str, params: dict):
    """One window of the newest rows: (the ids that hold, newest first; rows read; the
    oldest row's id; rows whose content holds the words, readable or not)."""
    rows = await conn.execute_fetchall(
        f"""SELECT count(*), min(m.id), count(*) FILTER (WHERE {text}),
                   array_agg(m.id ORDER BY m.id DESC) FILTER (WHERE {text} AND {READABLE} {extra})
            FROM ({source}) m JOIN rooms r ON r.id = m.room_id""",
        {**params, **bounds},
    )
    read, oldest, hits, ids = rows[0]
    return list(ids or ()), read, oldest, hits


def index_sql(grams: str, text: str, extra: str) -> str:
    """The newest `:limit` matches before `:before` through the bigram index. `m.id + 0`
    keeps the planner off a walk down the primary key that would test every row."""
    return f"""SELECT m.id FROM messages m JOIN rooms r ON r.id = m.room_id
               WHERE chat_grams(m.content) @> ({grams}) AND m.id < :before
                 AND {text} AND {READABLE} {extra}
               ORDER BY m.id + 0 DESC LIMIT :limit"""


async def matching_ids(
    conn, user_id: int, query: SearchQuery, scope: Scope, before: int, limit: int
) -> tuple[list[int], int | None]:
    """Up to `limit` ids, newest first, and where a further bounded read would start
    (None: nothing older matches)."""
    text, extra, params = conditions(query, scope)
    params["user"] = user_id
    grams = bigrams(query)
    source, narrow = window_sql(scope)
    found: list[int] = []
    read, hits, cursor, size = 0, 0, before, max(FIRST_WINDOW * limit, 100)
    while read < SCAN_WINDOW:
        size = min(size, SCAN_WINDOW - read)
        bounds = {**narrow, "before": cursor, "size": size}
        ids, count, oldest, window_hits = await window(conn, source, bounds, text, extra, params)
        found, read, hits = found + ids, read + count, hits + window_hits
        if len(found) >= limit:
            return found[:limit], None
        if count < size:
            return found, None
        cursor, size = oldest, size * 2
        # Expected matches older than the cursor, at the density the windows saw.
        if grams is not None and hits * cursor <= INDEX_ROWS * read:
            rows = await conn.execute_fetchall(
                index_sql(grams, text, extra),
                {**params, "before": cursor, "limit": limit - len(found)},
            )
            return found + [row[0] for row in rows], None
    return found, cursor


async def room_ids_named(conn, name: str) -> list[int]:
    """chat/db/search.py's room_ids_named: lower() for SQLite's COLLATE NOCASE."""
    rows = await conn.execute_fetchall(
        """SELECT id FROM rooms WHERE is_active = 1
           AND (lower(slug) = lower(:name) OR lower(name) = lower(:name))
           ORDER BY id LIMIT 20""",
        {"name": name},
    )
    return [row[0] for row in rows]
