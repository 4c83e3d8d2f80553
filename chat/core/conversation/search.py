"""Message search over the rooms a user may read, with safe highlighted snippets.

A query is split on whitespace into terms that must all occur (case-insensitively) as
substrings. Terms of three or more characters use the FTS5 trigram index, each quoted
so FTS5 operators and quotes in a query are plain text; shorter terms (a 2-character
Chinese word like 会议) are LIKE filters, and a query made only of short terms reads
at most SCAN_WINDOW messages per page (the newest before `before`, readable or not);
next_before then says where to read on. Matching is case-insensitive for all scripts
through the index, for ASCII only in LIKE filters. Private text never reaches a
non-member: rooms are filtered in SQL, and a room_id is checked first.

A snippet is HTML: the message text escaped with html.escape, and then the only tags
added are <mark> and </mark> around matches. Clients may insert it as HTML as is.
"""

from __future__ import annotations

import html
import re
import unicodedata

from chat.core import Core
from chat.core.conversation.rooms import check_readable
from chat.core.fields import check_int, check_optional_id
from chat.core.people import guests
from chat.db import messages as message_sql
from chat.db import search as search_sql
from chat.errors import BadInput
from chat.models import SearchHit, SearchResults, User

MAX_QUERY = 200
MAX_TERMS = 8
TRIGRAM = 3
SCAN_WINDOW = 20_000
SNIPPET_WIDTH = 160
NO_LIMIT = 2**62


def parse_terms(query) -> list[str]:
    if query is None:
        raise BadInput("search_query_empty")
    if not isinstance(query, str):
        raise BadInput("field_type", field="q", kind="a string")
    # Control characters (NUL among them, which FTS5 cannot parse) separate terms.
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in query).strip()
    if not text:
        raise BadInput("search_query_empty")
    if len(text) > MAX_QUERY:
        raise BadInput("field_length", field="q", low=1, high=MAX_QUERY)
    terms: dict[str, str] = {}
    for term in text.split():
        terms.setdefault(term.casefold(), term)
    return list(terms.values())[:MAX_TERMS]


def fts_query(terms: list[str]) -> str:
    """Each term one quoted FTS5 string: nothing in it is syntax."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def term_pattern(terms: list[str]) -> re.Pattern:
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(re.escape(term) for term in ordered), re.IGNORECASE)


def snippet(content: str, pattern: re.Pattern, width: int = SNIPPET_WIDTH) -> str:
    """Up to `width` characters around the first match, escaped, matches in <mark>."""
    first = pattern.search(content)
    start = 0 if first is None else max(0, first.start() - width // 4)
    end = min(len(content), start + width)
    parts = ["…" if start else ""]
    cursor = start
    for match in pattern.finditer(content, start, end):
        parts += [
            html.escape(content[cursor : match.start()]),
            "<mark>",
            html.escape(match.group()),
            "</mark>",
        ]
        cursor = match.end()
    parts += [html.escape(content[cursor:end]), "…" if end < len(content) else ""]
    return "".join(parts)


async def matching_ids(
    conn, user: User, terms: list[str], room_id: int | None, before: int, limit: int
) -> tuple[list[int], int | None]:
    """Up to `limit` ids, newest first, and where a further bounded scan would start."""
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    short_terms = [t for t in terms if len(t) < TRIGRAM]
    public = guests.sees_public_rooms(user)
    if long_terms:
        # Not yet indexed messages are all newer than indexed ones: they come first.
        newest = await search_sql.unindexed_ids(
            conn, user.id, terms, room_id, before, limit, public
        )
        ids = await search_sql.indexed_ids(
            conn, user.id, fts_query(long_terms), short_terms, room_id, before, limit, public
        )
        return (newest + ids)[:limit], None
    ids = await search_sql.scanned_ids(
        conn, user.id, short_terms, room_id, before, limit, SCAN_WINDOW, public
    )
    if len(ids) >= limit:
        return ids, None
    return ids, await search_sql.window_floor(conn, room_id, before, SCAN_WINDOW)


async def search(
    core: Core, user: User, query, room_ref=None, before=None, limit=20
) -> SearchResults:
    """Newest first; next_before continues the search further back (None: done)."""
    terms = parse_terms(query)
    limit = check_int("limit", limit, 1, 100, default=20)
    before = check_optional_id("before", before) or NO_LIMIT
    async with core.bounded_read() as conn:
        room_id = None
        if room_ref not in (None, ""):
            room, _ = await check_readable(conn, user, room_ref)
            room_id = room.id
        ids, floor = await matching_ids(conn, user, terms, room_id, before, limit + 1)
        page = ids[:limit]
        next_before = page[-1] if len(ids) > limit else floor
        if not page:
            return SearchResults((), next_before)
        found = await message_sql.select_messages(
            conn, f"m.id IN ({','.join('?' * len(page))})", page, order="m.id DESC"
        )
    pattern = term_pattern(terms)
    return SearchResults(
        tuple(SearchHit(m, snippet(m.content, pattern)) for m in found), next_before
    )
