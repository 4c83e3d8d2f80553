"""Which candidates a filtered search reads first. Pure and engine-neutral: the engine
(chat/db/search.py for SQLite) counts and reads; this module only names the sources a
query allows and picks the narrowest.

A filtered search reads candidate ids newest first, in chunks, and keeps those every
part of the query allows (search.walk). Candidates may come from the text index (the
words of three or more characters) or from an index of messages: the person's saved
messages (is:saved), the pinned ones (is:pinned), the images (has:image), the messages
with a file (has:file), one room and one person together
(in: and from:), one room, one person, or all messages. Dates never choose a source:
they narrow every source to an id range. Each source is a superset of the answer, so
whichever is read, the results are the same; only the rows read differ. The fewest
candidates in the range is the cheapest, so each index source's candidates are counted
up to CAP (an index-only count), and the text index only up to the best of those: a
common word under a narrow filter costs a few hundred matches, a rare word wins.
"""

from __future__ import annotations

from chat.db.search import Scope
from chat.models import SearchQuery

CAP = 1000  # candidates counted per source when choosing; past it, "many"
TEXT = "text"
RECENT = "recent"  # every message in the id range: always allowed, never narrower


def index_sources(query: SearchQuery, scope: Scope) -> list[str]:
    """The index sources the query allows, most specific first (without RECENT): a room
    and a person together make the room alone and the person alone pointless."""
    sources = [flag for flag in ("saved", "pinned") if flag in query.flags]
    sources += [kind for kind in ("image", "file") if kind in query.has]
    if len(scope.room_ids) == 1 and scope.sender_id is not None:
        sources.append("room_sender")
    elif len(scope.room_ids) == 1:
        sources.append("room")
    elif scope.sender_id is not None:
        sources.append("sender")
    return sources


def narrowest(counts: dict[str, int]) -> tuple[str, int] | None:
    """The index source with the fewest candidates (counted up to CAP; earlier in
    index_sources' order on a tie), or None when there is none."""
    if not counts:
        return None
    source = min(counts, key=counts.get)
    return source, counts[source]


def choose(best: tuple[str, int] | None, text_count: int | None) -> str:
    """The source to read: the text index unless an index source has fewer candidates
    (text_count None: the query has no indexable words; else the text index's matches,
    counted up to the best index source's count plus one)."""
    if best is None:
        return TEXT if text_count is not None else RECENT
    source, count = best
    if text_count is None or (count < CAP and text_count > count):
        return source
    return TEXT
