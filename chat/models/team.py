"""What people keep around messages for themselves and their team: pins, saved
messages, statuses, scheduled messages and reminders.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.models.messages import Message
from chat.models.people import User


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
