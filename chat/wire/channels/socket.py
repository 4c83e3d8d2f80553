"""Channels WebSocket frames: /ws/chat/{room_id}/?token=JWT."""

from __future__ import annotations

from collections.abc import Callable

from chat.errors import BadInput
from chat.events import (
    Event,
    MemberChanged,
    MessageDeleted,
    MessagePinned,
    MessagePosted,
    MessageSaved,
    MessageUnpinned,
    MessageUpdated,
    NotificationCreated,
    PreferencesChanged,
    PresenceChanged,
    PresenceSummary,
    ReactionChanged,
    ReadMarked,
    ReminderChanged,
    RoomDeleted,
    RoomUpdated,
    ScheduledChanged,
    StatusChanged,
    TypingChanged,
)
from chat.i18n import translate
from chat.models import Message, Room, User
from chat.web.jsonio import dumps
from chat.web.room_socket import RoomSession
from chat.web.socket_admission import socket_handler
from chat.web.socket_commands import NoCommand, ReadCommand, SendCommand, TypingCommand
from chat.wire.channels.serialize import (
    serialize_message,
    serialize_notification,
    serialize_reactions,
    serialize_room,
    serialize_room_brief,
    serialize_user_brief,
)
from chat.wire.channels.team import serialize_reminder, serialize_scheduled, serialize_status


def brief_users(users) -> list[dict]:
    return [serialize_user_brief(user) for user in users]


# Event type -> frame: one entry per event this dialect tells (an explicit table, so a
# new event is one more entry; the user-level socket carries every entry too).
FRAMES: dict[type, Callable[[Event], dict | None]] = {
    MessagePosted: lambda e: {"type": "chat_message", "message": serialize_message(e.message)},
    MessageUpdated: lambda e: {"type": "message_updated", "message": serialize_message(e.message)},
    MessageDeleted: lambda e: {"type": "message_deleted", "message": serialize_message(e.message)},
    ReactionChanged: lambda e: {
        "type": "reaction",
        "message_id": e.message.id,
        "emoji": e.emoji,
        "user": serialize_user_brief(e.user),
        "added": e.added,
        "reactions": serialize_reactions(e.message.reactions, None),
    },
    PresenceChanged: lambda e: {
        "type": "user_join" if e.online else "user_leave",
        "user": serialize_user_brief(e.user),
    },
    PresenceSummary: lambda e: {
        "type": "presence",
        "room_id": e.room_id,
        "online_count": e.online_count,
        "joined": brief_users(e.joined),
        "left": brief_users(e.left),
        "joined_count": e.joined_count,
        "left_count": e.left_count,
    },
    TypingChanged: lambda e: {
        "type": "typing",
        "user": serialize_user_brief(e.user),
        "is_typing": e.is_typing,
    },
    RoomUpdated: lambda e: {"type": "room_updated", "room": serialize_room(e.room)},
    RoomDeleted: lambda e: {
        "type": "room_deleted",
        "room": serialize_room_brief(e.room.id, e.room.name),
    },
    MemberChanged: lambda e: {
        "type": "member_updated",
        "room_id": e.room_id,
        "user": serialize_user_brief(e.user),
        "role": e.role,
        "is_muted": e.is_muted,
        "is_banned": e.is_banned,
    },
    ReadMarked: lambda e: {
        "type": "read",
        "room_id": e.room_id,
        "message_id": e.message_id,
        "unread_count": e.unread_count,
    },
    NotificationCreated: lambda e: {
        "type": "notification",
        "notification": serialize_notification(e.notification),
    },
    # team features (issue 14)
    MessagePinned: lambda e: {
        "type": "message_pinned",
        "room_id": e.room_id,
        "message": serialize_message(e.message),
        "pinned_by": serialize_user_brief(e.pinned_by),
        "pinned_at": e.pinned_at,
    },
    MessageUnpinned: lambda e: {
        "type": "message_unpinned",
        "room_id": e.room_id,
        "message_id": e.message.id,
    },
    MessageSaved: lambda e: {
        "type": "message_saved",
        "message": serialize_message(e.message),
        "saved": e.saved,
    },
    StatusChanged: lambda e: {
        "type": "status",
        "user": serialize_user_brief(e.user),
        "status": serialize_status(e.status),
    },
    ScheduledChanged: lambda e: {
        "type": "scheduled_message",
        "scheduled": serialize_scheduled(e.scheduled),
    },
    ReminderChanged: lambda e: {"type": "reminder", "reminder": serialize_reminder(e.reminder)},
    PreferencesChanged: lambda e: {
        "type": "notify_preferences",
        "room_id": e.room_id,
        "notify_level": e.notify_level,
        "room_muted": e.room_muted,
    },
}


def render_event(event: Event) -> dict | None:
    frame = FRAMES.get(type(event))
    return None if frame is None else frame(event)


def gap_frame(room_id: int, since: int, limit: int) -> dict:
    """A since further back than the bounded replay: fetch history over REST instead."""
    return {"type": "history_gap", "room_id": room_id, "since": since, "replay_limit": limit}


class ChannelsSocket:
    name = "channels"

    def render(self, event: Event) -> str | None:
        frame = render_event(event)
        return None if frame is None else dumps(frame)

    def greeting(
        self, user: User, room: Room, online: list[User], online_count: int, language: str
    ) -> list[str]:
        """online_users lists at most the presence threshold (a large room would send
        every newcomer thousands of names); online_count is exact."""
        return [
            dumps(
                {
                    "type": "connection_established",
                    "message": translate("connected", language),
                    "user": serialize_user_brief(user),
                    "room": serialize_room(room),
                    "online_users": brief_users(online),
                    "online_count": online_count,
                }
            )
        ]

    def parse(self, frame: dict):
        kind = frame.get("type")
        if kind == "chat_message":
            return SendCommand(
                frame.get("content"),
                frame.get("message_type", "text"),
                frame.get("reply_to"),
                frame.get("client_id"),
            )
        if kind == "typing":
            is_typing = frame.get("is_typing", True)
            if not isinstance(is_typing, bool):
                raise BadInput("field_type", field="is_typing", kind="a boolean")
            return TypingCommand(is_typing)
        if kind == "read":
            return ReadCommand(frame.get("message_id"))
        if kind in ("user_join", "user_leave", "ping"):
            return NoCommand()
        raise BadInput("frame_unknown_type", type=str(kind)[:40])

    def render_message(self, message: Message) -> str:
        return dumps({"type": "chat_message", "message": serialize_message(message)})

    def render_gap(self, room_id: int, since: int, limit: int) -> str:
        return dumps(gap_frame(room_id, since, limit))


DIALECT = ChannelsSocket()


chat_socket = socket_handler(RoomSession, DIALECT)
