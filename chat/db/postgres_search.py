"""Search's SQL on PostgreSQL (issue 32; SEARCH: chat/db/search.py's SearchSql): the
answers of the SQLite search, newest first, through the character-bigram index of
migration postgres/0030, under the same plan (chat/core/conversation/search.py).

pg_trgm cannot index a term shorter than three characters, and Chinese words are often
two (部署, 会议). The index holds each message's lower-cased bigrams; a term of two or
more characters can only be in a message holding all of its bigrams, and strpos on the
lower-cased content then removes the false positives. Every term, phrase, exclusion and
operator is also a plain condition on the row (conditions), so every way of reading
finds the same rows. PostgreSQL keeps the index in the storing statement: there is no
not-yet-indexed tail (indexed_upto).

Words alone (word_ids):
1. Windows of the newest messages before `before`, ten rows per id asked for, then
   twice as many, and so on, with every condition tested on each row. A common word
   fills its page from the first window without the index: GIN hands its matches back
   in no useful order, and fetching and sorting the 200,000 matches of 部署 in a
   million messages costs 500 ms.
2. When the words are rare in what the windows read (at most INDEX_ROWS matches
   expected further back), the rest of the page comes from the GIN index, every
   condition checked on each candidate. Otherwise the windows go on up to SCAN_WINDOW
   rows, and the oldest read is where the next page starts (next_before).
A filtered search reads the narrowest source (postgres_sources.py).

A page may so reach further back than SQLite's (whose windows count rows, not matches),
but the pages, read to the end, list the same messages in the same order.
Case: lower() on both sides, for every script the database's locale knows."""

from __future__ import annotations

from chat.db import postgres_sources as sources
from chat.db.postgres_sources import BIGRAM, conditions, grams
from chat.db.search import READABLE, Scope, SearchSql, room_ids_named
from chat.models import SearchQuery

FIRST_WINDOW = 10  # rows in the first window per id asked for; each next one doubles
SCAN_WINDOW = 20_000  # rows read in windows per page at most (as SQLite's search)
INDEX_ROWS = 10_000  # matches the index may hand back for one page at most (estimated)
EVERYTHING = 2**62  # the index's high mark: every id (core's NO_LIMIT)
# The newest `:size` rows before `:before`, whole (ids joined back became a hash join).
WINDOW = "SELECT * FROM messages WHERE id < :before ORDER BY id DESC LIMIT :size"


async def indexed_upto(conn) -> int:
    """Every message is indexed by the statement that stores it."""
    return EVERYTHING


async def window(conn, bounds: dict, text: str, extra: str, params: dict):
    """One window of the newest rows: (the ids that hold, newest first; rows read; the
    oldest row's id; rows whose content holds the words, readable or not)."""
    rows = await conn.execute_fetchall(
        f"""SELECT count(*), min(m.id), count(*) FILTER (WHERE {text}),
                   array_agg(m.id ORDER BY m.id DESC) FILTER (WHERE {text} AND {READABLE} {extra})
            FROM ({WINDOW}) m JOIN rooms r ON r.id = m.room_id""",
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


async def word_ids(
    conn, user_id: int, query: SearchQuery, scope: Scope, before: int, limit: int
) -> tuple[list[int], int | None]:
    """A search by words alone: up to `limit` ids, newest first, and where a further
    bounded read would start (None: nothing older matches)."""
    text, extra, params = conditions(query, scope)
    params["user"] = user_id
    index, gram_params = grams(list(query.terms))
    params.update(gram_params)
    found: list[int] = []
    read, hits, cursor, size = 0, 0, before, max(FIRST_WINDOW * limit, 100)
    while read < SCAN_WINDOW:
        size = min(size, SCAN_WINDOW - read)
        bounds = {"before": cursor, "size": size}
        ids, count, oldest, window_hits = await window(conn, bounds, text, extra, params)
        found, read, hits = found + ids, read + count, hits + window_hits
        if len(found) >= limit:
            return found[:limit], None
        if count < size:
            return found, None
        cursor, size = oldest, size * 2
        # Expected matches older than the cursor, at the density the windows saw.
        if index is not None and hits * cursor <= INDEX_ROWS * read:
            rows = await conn.execute_fetchall(
                index_sql(index, text, extra),
                {**params, "before": cursor, "limit": limit - len(found)},
            )
            return found + [row[0] for row in rows], None
    return found, cursor


SEARCH = SearchSql(
    indexed=BIGRAM,
    room_ids_named=room_ids_named,
    indexed_upto=indexed_upto,
    unindexed_ids=None,
    word_ids=word_ids,
    id_range=sources.id_range,
    reader=sources.Reader,
)
