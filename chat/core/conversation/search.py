"""Message search over the rooms a user may read, with safe highlighted snippets.

A query (parsed by search_query.py: words, "phrases", -exclusions and operators such as
from:, in:, has:, is:, before:) has terms that must all occur (case-insensitively) as
substrings, phrases included; exclusions and operators are SQL filters. Terms of three
or more characters use the FTS5 trigram index, each quoted so FTS5 operators and quotes
in a query are plain text; shorter terms (a 2-character Chinese word like 会议) are LIKE
filters, and a query made only of short terms (or only of operators) reads at most
SCAN_WINDOW messages per page (the newest before `before`, of the in: room or else of
the from: person when given, readable or not); next_before then says where to read on.
Matching is case-insensitive for all scripts through the index, for ASCII only in LIKE
filters. Private text never reaches a
non-member: rooms are filtered in SQL, and a room_id is checked first.

A snippet is HTML: the message text escaped with html.escape, and then the only tags
added are <mark> and </mark> around matches. Clients may insert it as HTML as is.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from chat.core import Core
from chat.core.conversation.mentions import mentioned_names
from chat.core.conversation.rooms import check_readable
from chat.core.conversation.search_query import parse_query
from chat.core.fields import check_int, check_optional_id
from chat.core.people import guests
from chat.db import messages as message_sql
from chat.db import postgres_search
from chat.db import search as search_sql
from chat.db import users as user_sql
from chat.db.search import Scope
from chat.models import Message, SearchHit, SearchQuery, SearchResults, User

TRIGRAM = 3
SCAN_WINDOW = 20_000
CHUNK = 1000
SNIPPET_WIDTH = 160
NO_LIMIT = 2**62


def fts_query(terms: list[str], excluded=()) -> str:
    """Each term one quoted FTS5 string: nothing in it is syntax. Excluded terms long
    enough for the index leave it by NOT, so -word costs the index, not a walk."""

    def quoted(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    found = "(" + " ".join(quoted(term) for term in terms) + ")"
    return found + "".join(f" NOT {quoted(term)}" for term in excluded if len(term) >= TRIGRAM)


def term_pattern(terms: list[str]) -> re.Pattern:
    """Matches any term; with no terms (a search by operators only), matches nothing."""
    if not terms:
        return re.compile(r"(?!)")
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
    conn, user_id: int, query: SearchQuery, scope: Scope, before: int, limit: int
) -> tuple[list[int], int | None]:
    """Up to `limit` ids, newest first, and where a further bounded scan would start
    (on SQLite: FTS5 for terms of three characters or more, windows otherwise)."""
    terms = list(query.terms)
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    short_terms = [t for t in terms if len(t) < TRIGRAM]
    if not long_terms:
        return await walk(
            lambda cursor, size: search_sql.scanned_chunk(
                conn, user_id, short_terms, query, scope, cursor, size
            ),
            before,
            limit,
        )
    # Not yet indexed messages are all newer than indexed ones: they come first.
    newest = await search_sql.unindexed_ids(conn, user_id, terms, query, scope, before, limit)
    if len(newest) >= limit:
        return newest[:limit], None
    match = fts_query(long_terms, query.excluded)
    if not is_filtered(query, scope):
        ids = await search_sql.indexed_ids(
            conn, user_id, match, short_terms, query, scope, before, limit
        )
        return (newest + ids)[:limit], None
    ids, floor = await walk(
        lambda cursor, size: search_sql.matched_chunk(
            conn, user_id, match, short_terms, query, scope, cursor, size
        ),
        before,
        limit - len(newest),
    )
    return newest + ids, floor


async def walk(read_chunk, before: int, limit: int) -> tuple[list[int], int | None]:
    """Chunks of candidates, newest first, until `limit` ids are found or SCAN_WINDOW
    candidates were read (then the oldest read is where a next page starts). Chunks,
    not one window: a query whose first chunk fills the page reads only that chunk;
    each next chunk is twice as large, so a rare match costs a few queries, not twenty."""
    found: list[int] = []
    read, cursor, chunk = 0, before, CHUNK
    while read < SCAN_WINDOW:
        size, chunk = min(chunk, SCAN_WINDOW - read), chunk * 2
        ids, count, oldest = await read_chunk(cursor, size)
        found += ids
        read += count
        if len(found) >= limit:
            return found[:limit], None
        if count < size:
            return found, None
        cursor = oldest
    return found, cursor


def is_filtered(query: SearchQuery, scope: Scope) -> bool:
    """Anything beyond words (and exclusions the index does itself): then the index is
    read through a bounded window."""
    short_excluded = any(len(term) < TRIGRAM for term in query.excluded)
    return bool(short_excluded or query.has or query.flags or query.since or query.until) or (
        replace(scope, public=True) != Scope()
    )


async def resolve(conn, user: User, query: SearchQuery, room_ref) -> Scope | None:
    """The query's names as ids; None when a name matches nothing (nothing is found).
    A room_id asked for must be readable (403 otherwise); an in:ROOM the searcher may
    not read is not refused, it finds nothing (READABLE), so it tells nothing either."""
    room_ids: list[int] = []
    if room_ref not in (None, ""):
        room, _ = await check_readable(conn, user, room_ref)
        room_ids = [room.id]
    if query.room is not None:
        engine = postgres_search if postgres_search.serves(conn) else search_sql
        named = await engine.room_ids_named(conn, query.room)
        room_ids = [i for i in named if i in room_ids] if room_ids else named
        if not room_ids:
            return None
    sender_id = None
    if query.sender is not None:
        sender = user if query.sender.lower() == "me" else None
        sender = sender or await user_sql.user_by_username(conn, query.sender)
        if sender is None:
            return None
        sender_id = sender.id
    mention = query.mentions
    if mention is not None:
        mention = (user.username if mention.lower() == "me" else mention).lower()
    return Scope(tuple(room_ids), sender_id, mention, query.thread, guests.sees_public_rooms(user))


def mentions_exactly(message: Message, name: str | None) -> bool:
    """The SQL's LIKE '%@wei%' also matches @weiwei: keep the real mentions of `name`."""
    return name is None or name in mentioned_names(message.content)


async def search(
    core: Core, user: User, query, room_ref=None, before=None, limit=20
) -> SearchResults:
    """Newest first; next_before continues the search further back (None: done)."""
    parsed = parse_query(query)
    limit = check_int("limit", limit, 1, 100, default=20)
    before = check_optional_id("before", before) or NO_LIMIT
    async with core.bounded_read() as conn:
        scope = await resolve(conn, user, parsed, room_ref)
        if scope is None:
            return SearchResults((), None)
        # PostgreSQL reads its bigram index its own way (chat/db/postgres_search.py).
        plan = postgres_search.matching_ids if postgres_search.serves(conn) else matching_ids
        ids, floor = await plan(conn, user.id, parsed, scope, before, limit + 1)
        page = ids[:limit]
        next_before = page[-1] if len(ids) > limit else floor
        if not page:
            return SearchResults((), next_before)
        found = await message_sql.select_messages(
            conn, f"m.id IN ({','.join('?' * len(page))})", page, order="m.id DESC"
        )
    pattern = term_pattern(list(parsed.terms))
    hits = [SearchHit(m, snippet(m.content, pattern)) for m in found]
    return SearchResults(
        tuple(hit for hit in hits if mentions_exactly(hit.message, scope.mention)), next_before
    )
