"""Search as core sees it: the parsed query and the hits it returns."""

from __future__ import annotations

from dataclasses import dataclass

from chat.models.messages import Message


@dataclass(frozen=True)
class SearchHit:
    message: Message
    snippet: str


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search (chat/core/conversation/search_query.py): every part must hold.
    Names are as typed (resolved by core); dates are "YYYY-MM-DD" bounds in UTC, `since`
    inclusive and `until` exclusive."""

    terms: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    sender: str | None = None
    room: str | None = None
    thread: int | None = None
    mentions: str | None = None
    has: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class SearchResults:
    hits: tuple[SearchHit, ...]
    next_before: int | None
