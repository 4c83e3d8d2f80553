"""The domain in chat words: frozen rows that core returns and serializers read."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("admin", "moderator", "member")
MAX_CONTENT = 5000


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    avatar_url: str | None
    is_admin: bool
    created_at: str = ""
    is_bot: bool = False  # a webhook's or a bot's account: it never logs in
    is_active: bool = True
    is_guest: bool = False  # sees only the rooms they were added to (core/people/guests.py)
    guest_until: str | None = None  # a guest's account is deactivated at this time

    @property
    def name(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class Account:
    """A user as site admins see them."""

    user: User
    last_login_at: str | None
    kind: str = "person"  # person | bot | webhook (a hook's account)


@dataclass(frozen=True)
class Room:
    id: int
    slug: str
    name: str
    description: str
    room_type: str
    is_official: bool
    max_members: int | None  # None: no limit
    is_active: bool
    creator: User | None
    created_at: str
    updated_at: str
    member_count: int = 0
    archived_at: str | None = None
    default_text: bool = False  # name and description are still the seeded ones
    message_count: int = 0  # countable messages (not system notices, not deleted)
    deleted_at: str | None = None  # soft-deleted: restorable until purged
    join_notices: str = "coalesced"  # above the join notice threshold: always/coalesced/never
    link_previews: bool = True  # room admins may turn link previews off

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_full(self) -> bool:
        return self.max_members is not None and self.member_count >= self.max_members

    @property
    def is_public(self) -> bool:
        return self.room_type == "public"


@dataclass(frozen=True)
class Membership:
    id: int
    room_id: int
    user: User
    role: str
    joined_at: str
    last_read_at: str | None
    last_read_message_id: int
    is_muted: bool
    is_banned: bool
    notify_level: str = "default"  # default | all | mentions | nothing
    room_muted: bool = False  # no unread badge except mentions

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_moderate(self) -> bool:
        return self.role in ("admin", "moderator")


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


@dataclass(frozen=True)
class MessageEdit:
    """One earlier version of an edited message."""

    previous_content: str
    edited_by: User | None
    edited_at: str


@dataclass(frozen=True)
class RoomListing:
    """A room as one user sees it in a list: their membership, unread count, last message."""

    room: Room
    membership: Membership | None
    unread_count: int
    last_message: Message | None
    mention_count: int = 0  # unread mentions: the badge of a muted room


@dataclass(frozen=True)
class RoomDetail:
    room: Room
    membership: Membership | None
    members: tuple[Membership, ...]
    latest_messages: tuple[Message, ...]


@dataclass(frozen=True)
class Notification:
    id: int
    user_id: int
    notification_type: str
    title: str
    content: str
    room: Room | None
    message: Message | None
    is_read: bool
    created_at: str
    title_key: str | None = None
    title_params: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class MessagePage:
    messages: tuple[Message, ...]
    page: int
    page_size: int
    total: int


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


@dataclass(frozen=True)
class OnlineUser:
    user: User
    ip: str | None
    user_agent: str | None
    login_time: str
    last_activity: str


@dataclass(frozen=True)
class Stats:
    online_users_count: int
    total_messages_today: int
    active_rooms: int


@dataclass(frozen=True)
class Tokens:
    user: User
    access_token: str
    refresh_token: str
    expires_in: int
    session_secret: str | None = None  # the login's cookie value (sessions.start only)


@dataclass(frozen=True)
class ApiToken:
    """A personal API token as its owner sees it: never the secret, only a hint."""

    id: int
    name: str
    hint: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None


@dataclass(frozen=True)
class Credential:
    """What authenticated a request or socket, and until when it holds.

    kind: "access" (a JWT), "cookie" (the web page's login session) or "api_token".
    A socket keeps its credential so that ending the login or revoking the token
    closes it, and expires_at (unix seconds, None: until revoked) ends it in time."""

    user: User
    kind: str
    expires_at: float | None
    session_id: int | None = None
    token_id: int | None = None


@dataclass(frozen=True)
class SendResult:
    """A stored message, and whether this call stored it (False: a client_id retry)."""

    message: Message
    created: bool = True
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Pin:
    message: Message
    pinned_by: User | None
    pinned_at: str


@dataclass(frozen=True)
class SavedMessage:
    message: Message
    saved_at: str


@dataclass(frozen=True)
class Status:
    """A short status with an emoji; dnd silences the user's browser notifications."""

    user_id: int
    emoji: str
    text: str
    dnd: bool
    expires_at: str | None
    updated_at: str


@dataclass(frozen=True)
class ScheduledMessage:
    id: int
    user_id: int
    room_id: int
    room_name: str
    content: str
    reply_to: int | None
    send_at: str
    state: str  # pending | sent | failed | cancelled
    message_id: int | None
    error: str | None
    created_at: str


@dataclass(frozen=True)
class Reminder:
    id: int
    user_id: int
    message: Message
    remind_at: str
    state: str  # pending | done | cancelled
    created_at: str


@dataclass(frozen=True)
class Hook:
    """An incoming webhook: it posts into one room as its own bot user."""

    id: int
    room_id: int
    name: str
    bot: User
    created_by: int | None
    created_at: str
    last_used_at: str | None
    active: bool = True  # its creator may post in its room now (else it is refused)


@dataclass(frozen=True)
class Bot:
    """A site-wide bot: a bot user with a key and maybe an outgoing URL."""

    user: User
    outgoing_url: str | None
    created_at: str


@dataclass(frozen=True)
class PushSubscription:
    """One browser a user opted in from: its push service endpoint and the keys
    (RFC 8291) its messages are encrypted to."""

    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str
    label: str
    created_at: str


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what to what, when and from where."""

    id: int
    at: str
    actor_id: int | None
    actor_name: str | None
    action: str
    target_type: str | None
    target_id: str | None
    target_name: str | None
    address: str | None
    user_agent: str | None
    request_id: str | None
    detail: dict
