"""A person's place in threads: following, unread counts, the Threads view and a
thread's page (docs/threads.md). The thread's own counters, ThreadSummary, travel
with the Message (messages.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.models.messages import Message


@dataclass(frozen=True)
class ThreadFollow:
    """One user's state in one thread; following False once unfollowed (or never)."""

    root_id: int
    room_id: int
    following: bool
    last_read_id: int
    unread_count: int
    mention_count: int


@dataclass(frozen=True)
class ThreadEntry:
    """A line of the Threads view (and the head of a thread page)."""

    root: Message
    follow: ThreadFollow


@dataclass(frozen=True)
class ThreadPage:
    root: Message
    follow: ThreadFollow
    replies: tuple[Message, ...]
    has_more: bool
