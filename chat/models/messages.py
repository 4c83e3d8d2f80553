"""Messages: the message with its reactions, link previews and thread counters, its
earlier versions, a page of them, and the result of sending one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chat.models.people import User

MAX_CONTENT = 5000


@dataclass(frozen=True)
class LinkPreview:
    """A card under a message: what the linked page says of itself; image is a path on
    our own origin (never the page's URL: readers' addresses must not reach it)."""

    url: str
    title: str
    description: str
    site_name: str
    image: str | None


@dataclass(frozen=True)
class Reaction:
    emoji: str
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class Message:
    id: int
    room_id: int
    room_slug: str
    room_name: str
    sender: User | None
    message_type: str
    content: str
    file_url: str | None
    file_name: str | None
    file_size: int | None
    reply_to: int | None
    client_id: str | None
    system_event: str | None
    is_edited: bool
    is_deleted: bool
    created_at: str
    updated_at: str
    reactions: tuple[Reaction, ...] = ()
    text_key: str | None = None  # server-written text: shown in each viewer's language
    mrkdwn: str | None = None  # Slack's markup of the text, when it came in Slack's format
    text_params: dict | None = None  # its words when they are not the sender's name
    previews: tuple[LinkPreview, ...] = ()
    thread_id: int | None = None  # the root, when this is a reply in a thread
    thread_only: bool = False  # a reply kept out of the room's main timeline
    thread: ThreadSummary | None = None  # on a root that has (had) replies


@dataclass(frozen=True)
class ThreadSummary:
    """What a root shows of its thread: counters kept by triggers, never counted."""

    root_id: int
    room_id: int
    reply_count: int
    last_reply_id: int | None
    last_reply_at: str | None
    replier_ids: tuple[int, ...] = ()  # newest first, as stored
    last_repliers: tuple[User, ...] = ()  # the same, as users (filled by the read)


@dataclass(frozen=True)
class MessageEdit:
    """One earlier version of an edited message."""

    previous_content: str
    edited_by: User | None
    edited_at: str


@dataclass(frozen=True)
class MessagePage:
    messages: tuple[Message, ...]
    page: int
    page_size: int
    total: int


@dataclass(frozen=True)
class SendResult:
    """A stored message, and whether this call stored it (False: a client_id retry)."""

    message: Message
    created: bool = True
    extra: dict = field(default_factory=dict, compare=False)
