"""Search's SQL on PostgreSQL (issue 32; SEARCH: chat/db/search.py's SearchSql): the
answers of the SQLite search, newest first, through the character-bigram index of
migration postgres/0030, under the same plan (chat/core/conversation/search.py).

pg_trgm cannot index a term shorter than three characters, and Chinese words are often
two (部署, 会议). The index holds each message's lower-cased bigrams; a term of two or
more characters can only be in a message holding all of its bigrams, and strpos on the
lower-cased content then removes the false positives. Every term, phrase, exclusion and
operator is also a plain condition on the row, so every way of reading finds the same
rows (postgres_sources.py reads the candidates). PostgreSQL keeps the index in the
storing statement: nothing waits to be indexed (indexed_upto, unindexed_ids), and words
alone take the plan's text source like any search (no word_ids of their own).

Dates become an id range through the days' first and last ids, read from the index of
migration 0031 (a day's ids, ordered) one day at a time: ids do not follow created_at
(imported messages keep their dates), so each day in the range is asked for. A side of
the range longer than MOST_DAYS days is not narrowed (a bounded cost, a wider read).
"""

from __future__ import annotations

from chat.db import postgres_sources as sources
from chat.db.search import SearchSql, room_ids_named

MOST_DAYS = 400  # days looked up one by one for one side of a date range

DAY = "substr(created_at, 1, 10)"
# The first (or last) id of each day in [:since, :until), one day after the other
# (each step one probe of the day index), at most :most days; the extreme id and the
# number of days read.
DAYS = f"""WITH RECURSIVE days(day, id, n) AS (
    (SELECT {DAY}, id, 1 FROM messages WHERE {DAY} >= :since AND {DAY} < :until
     ORDER BY {DAY} {{order}}, id {{order}} LIMIT 1)
  UNION ALL
    SELECT next.day, next.id, days.n + 1 FROM days CROSS JOIN LATERAL (
        SELECT {DAY} AS day, id FROM messages
        WHERE {DAY} {{step}} days.day AND {DAY} >= :since AND {DAY} < :until
        ORDER BY {DAY} {{order}}, id {{order}} LIMIT 1) AS next
    WHERE days.n < :most)
SELECT {{extreme}}(id), count(*) FROM days"""
FIRST_IDS = DAYS.format(order="ASC", step=">", extreme="min")
LAST_IDS = DAYS.format(order="DESC", step="<", extreme="max")


async def id_range(conn, since: str | None, until: str | None) -> dict:
    """low and high: [low, high) holds the ids of the messages dated in [since, until);
    empty when no message is."""
    bounds = {"since": since or "", "until": until or "9999-99-99", "most": MOST_DAYS}
    found = {"low": 0, "high": 2**62}
    for side, sql, given, past in (("low", FIRST_IDS, since, 0), ("high", LAST_IDS, until, 1)):
        if given is None:
            continue
        extreme, days = (await conn.execute_fetchall(sql, bounds))[0]
        if extreme is None:
            return {"low": 0, "high": 0}
        if days < MOST_DAYS:
            found[side] = extreme + past
    return found


async def indexed_upto(conn) -> int:
    """The newest id: every message is indexed by the statement that stores it, so
    nothing above it waits."""
    rows = await conn.execute_fetchall("SELECT coalesce(max(id), 0) FROM messages")
    return rows[0][0]


async def unindexed_ids(conn, *args) -> list[int]:
    """Nothing waits to be indexed (indexed_upto)."""
    return []


SEARCH = SearchSql(
    indexed=sources.BIGRAM,
    room_ids_named=room_ids_named,
    indexed_upto=indexed_upto,
    unindexed_ids=unindexed_ids,
    word_ids=None,
    id_range=id_range,
    reader=sources.Reader,
)
