"""Rooms: the room, a person's membership in it, and a room as one user sees it in a
list or opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.models.messages import Message
from chat.models.people import User

ROLES = ("admin", "moderator", "member")


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
