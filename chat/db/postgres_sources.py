"""A search's candidates on PostgreSQL (the choice: search_plan.py), and the conditions
every way of reading checks on each row.

The index sources read ids newest first below `:before` and not below `:low` from one
index, as on SQLite (search_sources.py): the person's saved messages, the pinned ones,
the images, the messages with a file, one room and one person, one room, one person, or
every message. The planner is told the narrowing index's own order (`ORDER BY room_id
DESC, id DESC`): told only `ORDER BY id`, it walked the primary key and dropped 19 rows
in 20. Each chunk's rows are then checked for everything (the words by strpos, every
operator, READABLE) in one statement.

The text source is not the bigram index read in order: GIN hands its matches back in
no useful order and reads a word's whole posting list even for a few of them (84 ms for
部署's 200,000 matches, 600 ms for `quarterly`'s eight common bigrams, loaded). So it
reads windows of the newest rows (of the in: room and the from: person when given, as
the keyed sources read them), every condition checked in the statement: a common word
fills a page from the first window. When the indexed words prove rare in what the
windows read (at most INDEX_ROWS matches expected further back), the rest comes from
the index, every condition checked on each match, newest first. The text index is
never counted (count says "many"): an index source with fewer than CAP candidates is
cheaper to read than a common word is to count.
"""

from __future__ import annotations

from dataclasses import replace

from chat.db import search_sources
from chat.db.search import READABLE, Scope, filters
from chat.models import SearchQuery

CONTAINS = "strpos(lower(m.content), lower(:{name})) > 0"
BIGRAM = 2  # the shortest term the index sees
INDEX_ROWS = 10_000  # matches the index may hand back at most (estimated)

WHERE = "id < :before AND id >= :low"
# The sources of one room, one person or both, or every message: (condition, the order
# of the index that narrows it).
KEYED = {
    "room_sender": ("room_id = :room AND sender_id = :sender", "room_id DESC, sender_id DESC, "),
    "room": ("room_id = :room", "room_id DESC, "),
    "sender": ("sender_id = :sender", "sender_id DESC, "),
    "recent": ("TRUE", ""),
}
KEYED_ROWS = """SELECT {columns} FROM messages WHERE {condition} AND id < :before AND id >= :low
                ORDER BY {order}id DESC LIMIT :size"""
SOURCES = {
    "saved": search_sources.SOURCES["saved"],
    "pinned": search_sources.SOURCES["pinned"],
    "image": f"""SELECT id FROM messages WHERE message_type = 'image' AND {WHERE}
                 ORDER BY id DESC LIMIT :size""",
    "file": f"""SELECT id FROM messages WHERE file_url IS NOT NULL AND {WHERE}
                ORDER BY id DESC LIMIT :size""",
} | {
    source: KEYED_ROWS.format(columns="id", condition=condition, order=order)
    for source, (condition, order) in KEYED.items()
}
# A window of the newest rows (of the room, the person, or all: `keyed`): how many, the
# oldest, how many hold the indexed words, and the ids that hold every condition (ids
# joined back became a hash join).
WINDOW = """SELECT count(*), min(m.id), count(*) FILTER (WHERE {hit}),
                   array_agg(m.id ORDER BY m.id DESC) FILTER (WHERE {text} AND {readable} {extra})
            FROM ({keyed}) m
            JOIN rooms r ON r.id = m.room_id"""
# The newest matches through the bigram index. `m.id + 0` keeps the planner off a walk
# down the primary key that would test every row.
MATCHES = """SELECT m.id FROM messages m JOIN rooms r ON r.id = m.room_id
             WHERE chat_grams(m.content) @> ({grams}) AND m.id < :before AND m.id >= :low
               AND {text} AND {readable} {extra}
             ORDER BY m.id + 0 DESC LIMIT :size"""
ROWS = """SELECT m.id FROM messages m JOIN rooms r ON r.id = m.room_id
          WHERE m.id = ANY(:chunk) AND {text} AND {readable} {extra}
          ORDER BY m.id DESC"""


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


def keyed_source(scope: Scope) -> str:
    """Whose rows the text source's windows read: the room and the person, the room,
    the person (as search_plan.index_sources names them), or every message."""
    if len(scope.room_ids) == 1:
        return "room" if scope.sender_id is None else "room_sender"
    return "recent" if scope.sender_id is None else "sender"


class Reader:
    """A filtered search's candidates on PostgreSQL: an index source's ids, then each
    chunk's rows checked for every condition; or the text source (windows, then the
    bigram index once the words prove rare)."""

    def __init__(self, user_id: int, query: SearchQuery, scope: Scope):
        text, extra, params = conditions(query, scope)
        index, gram_params = grams(indexed_texts(query, scope))
        self.text = index is not None
        room = scope.room_ids[0] if scope.room_ids else None
        self.keys = {"user": user_id, "room": room, "sender": scope.sender_id}
        self.params = {**params, **gram_params, "user": user_id}
        hit = " AND ".join(CONTAINS.format(name=name) for name in gram_params) or "TRUE"
        where = {"text": text, "readable": READABLE, "extra": extra}
        self.rows = ROWS.format(**where)
        condition, order = KEYED[keyed_source(scope)]
        keyed = KEYED_ROWS.format(columns="*", condition=condition, order=order)
        self.window = WINDOW.format(hit=hit, keyed=keyed, **where)
        self.matches = index and MATCHES.format(grams=index, **where)
        self.read, self.hits, self.rare = 0, 0, False

    async def count(self, conn, source: str, span, before: int, cap: int) -> int:
        if source == "text":
            return cap
        return await search_sources.count(conn, SOURCES[source], self.keys, span, before, cap)

    async def chunk(self, conn, source: str, span, before: int, size: int):
        if source == "text":
            return await self.text_chunk(conn, span, before, size)
        chunk = await search_sources.source_ids(
            conn, SOURCES[source], self.keys, span, before, size
        )
        if not chunk:
            return [], 0, None
        rows = await conn.execute_fetchall(self.rows, {**self.params, "chunk": chunk})
        return [row[0] for row in rows], len(chunk), chunk[-1]

    async def text_chunk(self, conn, span, before: int, size: int):
        """A window of `size` rows in `span` below `before`, or once the words are rare
        in what the windows read, up to `size` matches from the index."""
        kept: list[int] = []
        read, oldest = 0, None
        for low, top in span.ranges(before):
            bounds = {**self.params, **self.keys, "before": top, "low": low, "size": size - read}
            if self.rare:
                ids = [row[0] for row in await conn.execute_fetchall(self.matches, bounds)]
                count, least = len(ids), ids[-1] if ids else None
            else:
                count, least, hits, ids = (await conn.execute_fetchall(self.window, bounds))[0]
                self.read, self.hits = self.read + count, self.hits + hits
                # Expected matches older than the window, at the density seen so far.
                further = self.hits * ((least or low) - low)
                self.rare = self.read > 0 and further <= INDEX_ROWS * self.read
            kept += ids or []
            read, oldest = read + count, least if count else oldest
            if read >= size:
                break
        return kept, read, oldest
