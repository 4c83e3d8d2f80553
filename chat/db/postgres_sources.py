"""A filtered search's candidates on PostgreSQL (the choice: search_plan.py), and the
conditions every way of reading checks on each row (postgres_search.py reads them too).

Each source reads ids newest first below `:before` and not below `:low` from one index,
as on SQLite (search_sources.py): the person's saved messages, the pinned ones, the
images, the messages with a file, one room and one person, one room, one person, every
message, or the bigram index of migration postgres/0030 (the text source). The planner
is told the narrowing index's own order (`ORDER BY room_id DESC, id DESC`): told only
`ORDER BY id`, it walked the primary key and dropped 19 rows in 20. The bigram index
hands its matches back in no useful order, so it is read in id spans (search_sources's
text_ids), each small enough to sort. A chunk's rows are then checked for everything
(the words by strpos, every operator, READABLE) in one statement.

Dates become an id range through the days' first and last ids, read from the index of
migration 0031 (a day's ids, ordered) one day at a time: ids do not follow created_at
(imported messages keep their dates), so each day in the range is asked for. A range of
more than MOST_DAYS days is not narrowed on that side (a bounded cost, a wider read).
"""

from __future__ import annotations

from dataclasses import replace

from chat.db import search_sources
from chat.db.search import READABLE, Scope, filters
from chat.models import SearchQuery

CONTAINS = "strpos(lower(m.content), lower(:{name})) > 0"
BIGRAM = 2  # the shortest term the index sees
MOST_DAYS = 400  # days looked up one by one for one side of a date range

WHERE = "id < :before AND id >= :low"
SOURCES = {
    "saved": search_sources.SOURCES["saved"],
    "pinned": search_sources.SOURCES["pinned"],
    "image": f"""SELECT id FROM messages WHERE message_type = 'image' AND {WHERE}
                 ORDER BY id DESC LIMIT :size""",
    "file": f"""SELECT id FROM messages WHERE file_url IS NOT NULL AND {WHERE}
                ORDER BY id DESC LIMIT :size""",
    "room_sender": f"""SELECT id FROM messages
                       WHERE room_id = :room AND sender_id = :sender AND {WHERE}
                       ORDER BY room_id DESC, sender_id DESC, id DESC LIMIT :size""",
    "room": f"""SELECT id FROM messages WHERE room_id = :room AND {WHERE}
                ORDER BY room_id DESC, id DESC LIMIT :size""",
    "sender": f"""SELECT id FROM messages WHERE sender_id = :sender AND {WHERE}
                  ORDER BY sender_id DESC, id DESC LIMIT :size""",
    "recent": search_sources.SOURCES["recent"],
}
# Every match in [:low, :before) (the index's partial predicate spelled out, so the
# planner may use it).
MATCHES = """SELECT id FROM messages
             WHERE chat_grams(content) @> ({grams}) AND is_deleted = 0
               AND message_type != 'system' AND id >= :low AND id < :before"""
ROWS = """SELECT m.id FROM messages m JOIN rooms r ON r.id = m.room_id
          WHERE m.id = ANY(:chunk) AND {text} AND {readable} {extra}
          ORDER BY m.id DESC"""

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


def grams(texts: list[str]) -> tuple[str | None, dict]:
    """The bigrams every match holds, of each text of two characters or more, as SQL
    computed by the index's own function (so lower() is the same on both sides) and its
    parameters; None when no text has two characters."""
    texts = [text for text in texts if len(text) >= BIGRAM]
    sql = " || ".join(f"chat_grams(:gram{n})" for n in range(len(texts)))
    return sql or None, {f"gram{n}": text for n, text in enumerate(texts)}


def indexed_texts(query: SearchQuery, scope: Scope) -> list[str]:
    """What the bigram index can check of a filtered search, as on SQLite
    (sqlite_search.text_match): the words and the @name of mentions:, else the two
    parts every link holds."""
    words = [term for term in query.terms if len(term) >= BIGRAM]
    words += [] if scope.mention is None else ["@" + scope.mention]
    return words or (["http", "://"] if "link" in query.has else [])


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


class Reader:
    """A filtered search's candidates on PostgreSQL: each source's ids (the bigram
    index by spans), then each chunk's rows checked for every condition."""

    def __init__(self, user_id: int, query: SearchQuery, scope: Scope):
        text, extra, params = conditions(query, scope)
        index, gram_params = grams(indexed_texts(query, scope))
        self.text = index is not None
        room = scope.room_ids[0] if scope.room_ids else None
        self.keys = {"user": user_id, "room": room, "sender": scope.sender_id, **gram_params}
        self.sources = dict(SOURCES)
        if index is not None:
            self.matches = MATCHES.format(grams=index) + " ORDER BY id"
            self.sources["text"] = MATCHES.format(grams=index) + " LIMIT :size"
        self.rows = ROWS.format(text=text, readable=READABLE, extra=extra)
        self.params = {**params, "user": user_id}

    async def count(self, conn, source: str, span, before: int, cap: int) -> int:
        sql = self.sources[source]
        return await search_sources.count(conn, sql, self.keys, span, before, cap)

    async def chunk(self, conn, source: str, span, before: int, size: int):
        in_span = self.matches if source == "text" else None
        chunk = await search_sources.source_ids(
            conn, self.sources[source], self.keys, span, before, size, in_span
        )
        if not chunk:
            return [], 0, None
        rows = await conn.execute_fetchall(self.rows, {**self.params, "chunk": chunk})
        return [row[0] for row in rows], len(chunk), chunk[-1]
