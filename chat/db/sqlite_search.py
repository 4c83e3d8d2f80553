"""Search's SQL on SQLite (SEARCH: chat/db/search.py's SearchSql): the FTS5 trigram index
for terms of three characters or more, each quoted so FTS5 operators and quotes in a
query are plain text, and LIKE filters for shorter ones (a 2-character Chinese word like
会议). The index is brought up to date after commit (search_index.py): ids above its
mark are read directly (search.unindexed_ids). A filtered search's sources are
search_sources.py's; the words a source other than the text index cannot see are
checked on each chunk by the index restricted to the chunk's id span.
"""

from __future__ import annotations

from chat.db import search as search_sql
from chat.db import search_sources as sources
from chat.db.search import Scope, SearchSql
from chat.models import SearchQuery

TRIGRAM = 3


def fts_string(term: str) -> str:
    """One quoted FTS5 string: nothing in it is syntax."""
    return '"' + term.replace('"', '""') + '"'


def fts_query(terms: list[str], excluded=()) -> str:
    """Every term, each quoted. Excluded terms long enough for the index leave it by
    NOT, so -word alone costs the index, not a walk."""
    found = "(" + " ".join(fts_string(term) for term in terms) + ")"
    return found + "".join(f" NOT {fts_string(t)}" for t in excluded if len(t) >= TRIGRAM)


def text_match(query: SearchQuery, scope: Scope) -> str | None:
    """What the text index can check of a filtered search (None: nothing): its long
    words and the @name of mentions:, else the link of has:link. A superset of what
    the LIKE filters keep (the index folds case beyond ASCII), and they still apply."""
    words = [t for t in query.terms if len(t) >= TRIGRAM]
    if scope.mention is not None and len(scope.mention) + 1 >= TRIGRAM:
        words.append("@" + scope.mention)
    if words:
        return fts_query(words)
    return '"http://" OR "https://"' if "link" in query.has else None


async def word_ids(conn, user_id: int, query: SearchQuery, scope: Scope, before, limit):
    """A search by words (and exclusions) alone: the index at once, no window."""
    long_terms = [t for t in query.terms if len(t) >= TRIGRAM]
    short_terms = [t for t in query.terms if len(t) < TRIGRAM]
    match = fts_query(long_terms, query.excluded)
    ids = await search_sql.indexed_ids(
        conn, user_id, match, short_terms, query, scope, before, limit
    )
    return ids, None


class Reader:
    """A filtered search's candidates on SQLite: each source's ids, then the words the
    source cannot see (the text index over the chunk's span), then everything else and
    readability (search.allowed)."""

    def __init__(self, user_id: int, query: SearchQuery, scope: Scope):
        self.user_id = user_id
        self.match = text_match(query, scope)
        self.text = self.match is not None
        self.unseen = [fts_string(t) for t in query.excluded if len(t) >= TRIGRAM]
        room = scope.room_ids[0] if scope.room_ids else None
        self.keys = {"user": user_id, "room": room, "sender": scope.sender_id, "match": self.match}
        short_terms = [t for t in query.terms if len(t) < TRIGRAM]
        self.extra, self.params = search_sql.filters(short_terms, query, scope)

    async def count(self, conn, source: str, span, before: int, cap: int) -> int:
        return await sources.count(conn, sources.SOURCES[source], self.keys, span, before, cap)

    async def chunk(self, conn, source: str, span, before: int, size: int):
        in_span = sources.IN_SPAN if source == "text" else None
        chunk = await sources.source_ids(
            conn, sources.SOURCES[source], self.keys, span, before, size, in_span
        )
        if not chunk:
            return [], 0, None
        checked = None if source == "text" else self.match
        kept = await sources.words_kept(conn, chunk, checked, self.unseen)
        found = await search_sql.allowed(conn, kept, self.user_id, self.extra, self.params)
        return found, len(chunk), chunk[-1]


SEARCH = SearchSql(
    indexed=TRIGRAM,
    room_ids_named=search_sql.room_ids_named,
    indexed_upto=sources.indexed_upto,
    unindexed_ids=search_sql.unindexed_ids,
    word_ids=word_ids,
    id_range=sources.id_range,
    reader=Reader,
)
