"""Message search over the rooms a user may read, with safe highlighted snippets.

A query (parsed by search_query.py: words, "phrases", -exclusions and operators such as
from:, in:, has:, is:, before:) has terms that must all occur (case-insensitively) as
substrings, phrases included; exclusions and operators are SQL filters. The plan is the
same on every engine, and the engine chooses its SQL (core.db.search: FTS5 trigrams on
SQLite, chat/db/sqlite_search.py; character bigrams on PostgreSQL,
chat/db/postgres_search.py). Plain words read the engine's text index at once. Anything
else (operators, or only terms too short for the index) reads candidates in chunks from
the narrowest source search_plan.py picks (the text index, a room, a person, files,
pins, ...), dates narrowing every source to an id range, at most SCAN_WINDOW candidates
per page; next_before then says where to read on. Private text never reaches a
non-member: rooms are filtered in SQL, and a room_id is checked first.

A snippet is HTML: the message text escaped with html.escape, and then the only tags
added are <mark> and </mark> around matches. Clients may insert it as HTML as is.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from chat.core import Core
from chat.core.conversation import search_plan
from chat.core.conversation.mentions import mentioned_names
from chat.core.conversation.rooms import check_readable
from chat.core.conversation.search_query import parse_query
from chat.core.fields import check_int, check_optional_id
from chat.core.people import guests
from chat.db import messages as message_sql
from chat.db import users as user_sql
from chat.db.search import Scope, SearchSql, Span
from chat.models import Message, SearchHit, SearchQuery, SearchResults, User

SCAN_WINDOW = 20_000
FIRST_CHUNK = 256  # a filter keeping one candidate in ten fills a page from one chunk
GROWTH = 4
SNIPPET_WIDTH = 160
NO_LIMIT = 2**62


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
    conn, engine: SearchSql, user_id: int, query: SearchQuery, scope: Scope, before, limit
) -> tuple[list[int], int | None]:
    """Up to `limit` ids, newest first, and where a further bounded scan would start.
    Words alone read the engine's text index at once where it can (SQLite); anything
    else reads the narrowest source (filtered_ids), words alone its text source."""
    upto = await engine.indexed_upto(conn)
    reader = engine.reader(user_id, query, scope)
    if not reader.text:  # the sources read every row, indexed or not
        return await filtered_ids(conn, engine, reader, query, scope, before, limit, upto + 1)
    # Not yet indexed messages are all newer than indexed ones: they come first. The
    # index is read below the mark read here, so a batch indexed meanwhile is not
    # found twice.
    newest: list[int] = []
    if before > upto + 1:
        terms = list(query.terms)
        newest = await engine.unindexed_ids(conn, user_id, terms, query, scope, upto, before, limit)
    if len(newest) >= limit:
        return newest[:limit], None
    before, rest = min(before, upto + 1), limit - len(newest)
    indexed = any(len(term) >= engine.indexed for term in query.terms)
    if engine.word_ids and indexed and not is_filtered(query, scope, engine.indexed):
        ids, floor = await engine.word_ids(conn, user_id, query, scope, before, rest)
    else:
        ids, floor = await filtered_ids(conn, engine, reader, query, scope, before, rest)
    return newest + ids, floor


async def filtered_ids(conn, engine, reader, query, scope: Scope, before, limit, tail=None):
    """The messages below `before` a filtered search finds: dates as an id range (and
    every id from `tail` up when given: not indexed, so not dated yet), candidates from
    the narrowest source (search_plan.py), each chunk checked by the engine's reader for
    everything the source cannot see."""
    span = Span(tail=tail)
    if query.since or query.until:
        span = replace(span, **await engine.id_range(conn, query.since, query.until))
    source = await choose_source(conn, reader, query, scope, span, before)

    async def read_chunk(cursor: int, size: int):
        return await reader.chunk(conn, source, span, cursor, size)

    return await walk(read_chunk, before, limit)


async def choose_source(conn, reader, query: SearchQuery, scope: Scope, span, before) -> str:
    """Count each index source's candidates below `before` up to CAP, and the text
    index's only up to the best of them (a common word is never counted far)."""
    cap = search_plan.CAP
    counts = {
        source: await reader.count(conn, source, span, before, cap)
        for source in search_plan.index_sources(query, scope)
    }
    best = search_plan.narrowest(counts)
    text_count = cap if reader.text else None
    if text_count is not None and best is not None and best[1] < cap:
        text_count = await reader.count(conn, search_plan.TEXT, span, before, best[1] + 1)
    return search_plan.choose(best, text_count)


async def walk(read_chunk, before: int, limit: int) -> tuple[list[int], int | None]:
    """Chunks of candidates, newest first, until `limit` ids are found or SCAN_WINDOW
    candidates were read (then the oldest read is where a next page starts). Chunks,
    not one window: a query whose first chunk fills the page reads only that chunk;
    each next four times as large, so a rare match
    costs a few queries, not twenty."""
    found: list[int] = []
    read, cursor, chunk = 0, before, FIRST_CHUNK
    while read < SCAN_WINDOW:
        size, chunk = min(chunk, SCAN_WINDOW - read), chunk * GROWTH
        ids, count, oldest = await read_chunk(cursor, size)
        found += ids
        read += count
        if len(found) >= limit:
            return found[:limit], None
        if count < size:
            return found, None
        cursor = oldest
    return found, cursor


def is_filtered(query: SearchQuery, scope: Scope, indexed: int) -> bool:
    """Anything beyond words (and exclusions the index does itself: of `indexed`
    characters or more): then the index is read through a bounded window."""
    short_excluded = any(len(term) < indexed for term in query.excluded)
    return bool(short_excluded or query.has or query.flags or query.since or query.until) or (
        replace(scope, public=True) != Scope()
    )


async def resolve(conn, engine, user: User, query: SearchQuery, room_ref) -> Scope | None:
    """The query's names as ids; None when a name matches nothing (nothing is found).
    A room_id asked for must be readable (403 otherwise); an in:ROOM the searcher may
    not read is not refused, it finds nothing (READABLE), so it tells nothing either."""
    room_ids: list[int] = []
    if room_ref not in (None, ""):
        room, _ = await check_readable(conn, user, room_ref)
        room_ids = [room.id]
    if query.room is not None:
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
    engine = core.db.search  # the engine's SQL; the plan is the same on every engine
    async with core.bounded_read() as conn:
        scope = await resolve(conn, engine, user, parsed, room_ref)
        if scope is None:
            return SearchResults((), None)
        ids, floor = await matching_ids(conn, engine, user.id, parsed, scope, before, limit + 1)
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
