"""Past-tense events that core publishes to the hub after commit.

Each names its room and, where only some people may see it, its recipients
(user_ids). The hub renders each event once per dialect present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chat.models import (
    Credential,
    Message,
    Notification,
    Reminder,
    Room,
    ScheduledMessage,
    Status,
    ThreadFollow,
    ThreadSummary,
    User,
)


@dataclass(frozen=True)
class Event:
    room_id: int | None
    # True: the recipients hear it on their sockets in every room, not just room_id's.
    everywhere: ClassVar[bool] = False

    # None: every socket in the room; else only sockets of these users.
    @property
    def user_ids(self) -> frozenset[int] | None:
        return None


@dataclass(frozen=True)
class MessagePosted(Event):
    message: Message


@dataclass(frozen=True)
class MessageUpdated(Event):
    message: Message
    links_added: tuple[str, ...] = ()  # by an edit, to preview (chat/web/previewer.py)


@dataclass(frozen=True)
class MessageDeleted(Event):
    message: Message


@dataclass(frozen=True)
class ReactionChanged(Event):
    message: Message
    user: User
    emoji: str
    added: bool


@dataclass(frozen=True)
class PresenceChanged(Event):
    user: User
    online: bool


@dataclass(frozen=True)
class PresenceSummary(Event):
    """Presence in a large room, told at most once a second: the online count and who
    came and went since the last summary (the lists capped, the counts exact)."""

    online_count: int
    joined: tuple[User, ...]
    left: tuple[User, ...]
    joined_count: int
    left_count: int


@dataclass(frozen=True)
class TypingChanged(Event):
    user: User
    is_typing: bool


@dataclass(frozen=True)
class RoomUpdated(Event):
    room: Room


@dataclass(frozen=True)
class RoomDeleted(Event):
    room: Room


@dataclass(frozen=True)
class MemberChanged(Event):
    """A member's role, mute or ban changed; a ban closes their sockets (4003)."""

    user: User
    role: str
    is_muted: bool
    is_banned: bool


@dataclass(frozen=True)
class MemberJoined(Event):
    """The user became a member (joined, was invited in, unbanned, opened a direct room):
    their user-level sockets start carrying the room."""

    everywhere: ClassVar[bool] = True
    user: User
    room: Room

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset({self.user.id})


@dataclass(frozen=True)
class MemberLeft(Event):
    """A member left the room: their sockets in it close (4003)."""

    user: User


@dataclass(frozen=True)
class ReadMarked(Event):
    """Sent to the reader's own sockets, in every room, so their other tabs and devices
    update that room's unread count wherever they are."""

    everywhere: ClassVar[bool] = True
    reader_id: int
    message_id: int
    unread_count: int

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset({self.reader_id})


@dataclass(frozen=True)
class NotificationCreated(Event):
    notification: Notification

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset({self.notification.user_id})


@dataclass(frozen=True)
class SocketsEnded(Event):
    """A login ended, an API token was revoked, a password changed or a user was
    disabled: the user's sockets opened with that credential close (4001). An event
    rather than a call on the hub, so that every process closes its own sockets."""

    user_id: int
    session_id: int | None = None  # only the sockets of this login
    token_id: int | None = None  # only the sockets of this API token
    keep_api_tokens: bool = False  # a password change leaves API tokens working

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset()  # no frame: the hub closes sockets instead

    def ends(self, credential: Credential | None) -> bool:
        if self.session_id is not None:
            return credential is not None and credential.session_id == self.session_id
        if self.token_id is not None:
            return credential is not None and credential.token_id == self.token_id
        return not (
            self.keep_api_tokens and credential is not None and credential.kind == "api_token"
        )


@dataclass(frozen=True)
class MessagePinned(Event):
    message: Message
    pinned_by: User
    pinned_at: str


@dataclass(frozen=True)
class MessageUnpinned(Event):
    message: Message


@dataclass(frozen=True)
class MessageSaved(Event):
    """A message entered (saved) or left one user's private saved list: their sockets only."""

    everywhere: ClassVar[bool] = True
    user_id: int
    message: Message
    saved: bool

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset({self.user_id})


@dataclass(frozen=True)
class StatusChanged(Event):
    """A user's status or do-not-disturb changed; heard by everyone sharing a room with
    them (recipients), wherever their sockets are."""

    everywhere: ClassVar[bool] = True
    status: Status
    user: User
    recipients: frozenset[int]

    @property
    def user_ids(self) -> frozenset[int]:
        return self.recipients


@dataclass(frozen=True)
class ProfileChanged(Event):
    """A user's display name or picture changed: everyone sharing a room with them (and
    their own other tabs) redraws the messages and member lists already on screen."""

    everywhere: ClassVar[bool] = True
    user: User
    recipients: frozenset[int]

    @property
    def user_ids(self) -> frozenset[int]:
        return self.recipients


@dataclass(frozen=True)
class ScheduledChanged(Event):
    """A scheduled message of the owner was created, cancelled, sent or failed."""

    everywhere: ClassVar[bool] = True
    scheduled: ScheduledMessage

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset({self.scheduled.user_id})


@dataclass(frozen=True)
class ReminderChanged(Event):
    everywhere: ClassVar[bool] = True
    reminder: Reminder

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset({self.reminder.user_id})


@dataclass(frozen=True)
class PreferencesChanged(Event):
    """A member changed their notification level or mute for a room: their other tabs
    and devices follow."""

    everywhere: ClassVar[bool] = True
    user_id: int
    notify_level: str
    room_muted: bool

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset({self.user_id})


@dataclass(frozen=True)
class ThreadUpdated(Event):
    """A root's reply count, last reply or repliers changed (a reply posted or deleted)."""

    thread: ThreadSummary


@dataclass(frozen=True)
class ThreadStateChanged(Event):
    """One user's follow state of a thread changed (a reply, a read mark, a follow): their
    own sockets, in every room, so every tab's Threads view agrees."""

    everywhere: ClassVar[bool] = True
    user_id: int
    follow: ThreadFollow

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset({self.user_id})
