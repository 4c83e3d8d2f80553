"""v1 WebSocket frames: /api/v1/chatroom/ws/{room_id}/{token}, flat frames as seed 000.

Client frames: {"type": "message", "content", "client_id"?} and {"type": "typing"}.
Extensions the seed lacks (message_updated, message_deleted, reaction, room_deleted)
are flat frames with message_id / room_id that old clients ignore.
"""

from __future__ import annotations

from collections.abc import Callable

from chat.clock import iso_utc
from chat.errors import BadInput
from chat.events import (
    Event,
    MessageDeleted,
    MessagePinned,
    MessagePosted,
    MessageSaved,
    MessageUnpinned,
    MessageUpdated,
    PreferencesChanged,
    PresenceChanged,
    PresenceSummary,
    ReactionChanged,
    ReminderChanged,
    RoomDeleted,
    ScheduledChanged,
    StatusChanged,
    TypingChanged,
)
from chat.i18n import message_text
from chat.models import Message, Reaction, Room, User
from chat.web.jsonio import dumps
from chat.web.room_socket import RoomSession
from chat.web.socket_admission import socket_handler
from chat.web.socket_commands import NoCommand, SendCommand, TypingCommand

SYSTEM_FRAMES = ("join", "leave")


def about(room_id: int, user: User | None) -> dict:
    """The room and the person a frame is about, as every v1 frame names them."""
    return {
        "room_id": room_id,
        "user_id": user.id if user else None,
        "username": user.username if user else None,
    }


def render_message(message: Message, kind: str = "message") -> dict:
    sender = message.sender
    if message.message_type == "system" and message.system_event in SYSTEM_FRAMES:
        return {
            "type": message.system_event,
            **about(message.room_id, sender),
            "avatar_url": sender.avatar_url if sender else None,
            "content": message_text(message),
            "timestamp": message.created_at,
        }
    frame = {
        "type": kind,
        "message_id": message.id,
        **about(message.room_id, sender),
        "avatar_url": sender.avatar_url if sender else None,
        "content": message_text(message),
        "timestamp": message.created_at,
    }
    if message.client_id is not None:
        frame["client_id"] = message.client_id
    if message.file_url is not None:
        frame.update(file_url=message.file_url, file_name=message.file_name)
    if kind == "message_updated":
        frame["is_edited"] = message.is_edited
    return frame


def render_reactions(reactions: tuple[Reaction, ...]) -> list[dict]:
    return [
        {"emoji": r.emoji, "count": len(r.user_ids), "user_ids": list(r.user_ids)}
        for r in reactions
    ]


def render_presence(event: PresenceChanged) -> dict:
    user = event.user
    if event.online:
        return {
            "type": "user_online",
            **about(event.room_id, user),
            "avatar_url": user.avatar_url,
            "timestamp": iso_utc(),
        }
    return {"type": "user_offline", **about(event.room_id, user), "timestamp": iso_utc()}


def brief_users(users) -> list[dict]:
    return [{"user_id": user.id, "username": user.username} for user in users]


# Event type -> frame, an explicit table as in the channels dialect.
FRAMES: dict[type, Callable[[Event], dict | None]] = {
    MessagePosted: lambda e: render_message(e.message),
    MessageUpdated: lambda e: render_message(e.message, "message_updated"),
    MessageDeleted: lambda e: {
        "type": "message_deleted",
        "message_id": e.message.id,
        "room_id": e.message.room_id,
        "timestamp": e.message.updated_at,
    },
    ReactionChanged: lambda e: {
        "type": "reaction",
        "message_id": e.message.id,
        **about(e.message.room_id, e.user),
        "emoji": e.emoji,
        "added": e.added,
        "reactions": render_reactions(e.message.reactions),
    },
    PresenceChanged: render_presence,
    PresenceSummary: lambda e: {
        "type": "presence",
        "room_id": e.room_id,
        "online_count": e.online_count,
        "joined": brief_users(e.joined),
        "left": brief_users(e.left),
        "joined_count": e.joined_count,
        "left_count": e.left_count,
        "timestamp": iso_utc(),
    },
    TypingChanged: lambda e: (
        {"type": "typing", **about(e.room_id, e.user), "timestamp": iso_utc()}
        if e.is_typing
        else None
    ),
    RoomDeleted: lambda e: {"type": "room_deleted", "room_id": e.room.id, "timestamp": iso_utc()},
    # team features (issue 14): flat frames named like the channels ones
    MessagePinned: lambda e: {
        "type": "message_pinned",
        "message_id": e.message.id,
        **about(e.message.room_id, e.pinned_by),
        "content": e.message.content,
        "timestamp": e.pinned_at,
    },
    MessageUnpinned: lambda e: {
        "type": "message_unpinned",
        "message_id": e.message.id,
        "room_id": e.message.room_id,
        "timestamp": iso_utc(),
    },
    MessageSaved: lambda e: {
        "type": "message_saved",
        "message_id": e.message.id,
        "room_id": e.message.room_id,
        "saved": e.saved,
        "timestamp": iso_utc(),
    },
    StatusChanged: lambda e: {
        "type": "status",
        "user_id": e.user.id,
        "username": e.user.username,
        "emoji": e.status.emoji,
        "text": e.status.text,
        "dnd": e.status.dnd,
        "expires_at": e.status.expires_at,
        "timestamp": e.status.updated_at,
    },
    ScheduledChanged: lambda e: {
        "type": "scheduled_message",
        "id": e.scheduled.id,
        "room_id": e.scheduled.room_id,
        "content": e.scheduled.content,
        "send_at": e.scheduled.send_at,
        "state": e.scheduled.state,
        "message_id": e.scheduled.message_id,
        "error": e.scheduled.error,
    },
    ReminderChanged: lambda e: {
        "type": "reminder",
        "id": e.reminder.id,
        "message_id": e.reminder.message.id,
        "room_id": e.reminder.message.room_id,
        "remind_at": e.reminder.remind_at,
        "state": e.reminder.state,
    },
    PreferencesChanged: lambda e: {
        "type": "notify_preferences",
        "room_id": e.room_id,
        "notify_level": e.notify_level,
        "room_muted": e.room_muted,
        "timestamp": iso_utc(),
    },
}


def render_event(event: Event) -> dict | None:
    frame = FRAMES.get(type(event))
    return None if frame is None else frame(event)


class V1Socket:
    name = "v1"

    def render(self, event: Event) -> str | None:
        frame = render_event(event)
        return None if frame is None else dumps(frame)

    def greeting(
        self, user: User, room: Room, online: list[User], online_count: int, language: str
    ) -> list[str]:
        """Seed 000 has no greeting frame: a v1 client hears first of others."""
        return []

    def parse(self, frame: dict):
        kind = frame.get("type")
        if kind == "message":
            return SendCommand(frame.get("content"), "text", None, frame.get("client_id"))
        if kind == "typing":
            return TypingCommand(True)
        if kind == "ping":
            return NoCommand()
        raise BadInput("frame_unknown_type", type=str(kind)[:40])

    def render_message(self, message: Message) -> str:
        return dumps(render_message(message))

    def render_gap(self, room_id: int, since: int, limit: int) -> str:
        """Flat like every v1 frame: fetch history over REST instead of a replay."""
        return dumps(
            {
                "type": "history_gap",
                "room_id": room_id,
                "since": since,
                "replay_limit": limit,
                "timestamp": iso_utc(),
            }
        )


DIALECT = V1Socket()


chat_socket = socket_handler(RoomSession, DIALECT)
