"""v1 WebSocket frames: /api/v1/chatroom/ws/{room_id}/{token}, flat frames as seed 000.

Client frames: {"type": "message", "content", "client_id"?} and {"type": "typing"}.
Extensions the seed lacks (message_updated, message_deleted, reaction, room_deleted)
are flat frames with message_id / room_id that old clients ignore.
"""
from __future__ import annotations

from aiohttp import web

from ...clock import iso_utc
from ...errors import BadInput
from ...events import (Event, MessageDeleted, MessagePinned, MessagePosted, MessageSaved,
                       MessageUnpinned, MessageUpdated, PresenceChanged, ReactionChanged,
                       ReminderChanged, RoomDeleted, ScheduledChanged, StatusChanged,
                       TypingChanged)
from ...models import Message, Reaction, Room, User
from ...web.jsonio import dumps
from ...web.sockets import NoCommand, SendCommand, TypingCommand, serve_socket

SYSTEM_FRAMES = ("join", "leave")


def about(room_id: int, user: User | None) -> dict:
    """The room and the person a frame is about, as every v1 frame names them."""
    return {"room_id": room_id, "user_id": user.id if user else None,
            "username": user.username if user else None}


def render_message(message: Message, kind: str = "message") -> dict:
    sender = message.sender
    if message.message_type == "system" and message.system_event in SYSTEM_FRAMES:
        return {"type": message.system_event, **about(message.room_id, sender),
                "avatar_url": sender.avatar_url if sender else None,
                "content": message.content, "timestamp": message.created_at}
    frame = {"type": kind, "message_id": message.id, **about(message.room_id, sender),
             "avatar_url": sender.avatar_url if sender else None,
             "content": message.content, "timestamp": message.created_at}
    if message.client_id is not None:
        frame["client_id"] = message.client_id
    if message.file_url is not None:
        frame.update(file_url=message.file_url, file_name=message.file_name)
    if kind == "message_updated":
        frame["is_edited"] = message.is_edited
    return frame


def render_reactions(reactions: tuple[Reaction, ...]) -> list[dict]:
    return [{"emoji": r.emoji, "count": len(r.user_ids), "user_ids": list(r.user_ids)}
            for r in reactions]


def render_presence(event: PresenceChanged) -> dict:
    user = event.user
    if event.online:
        return {"type": "user_online", **about(event.room_id, user),
                "avatar_url": user.avatar_url, "timestamp": iso_utc()}
    return {"type": "user_offline", **about(event.room_id, user), "timestamp": iso_utc()}


def render_event(event: Event) -> dict | None:
    match event:
        case MessagePosted(message=message):
            return render_message(message)
        case MessageUpdated(message=message):
            return render_message(message, "message_updated")
        case MessageDeleted(message=message):
            return {"type": "message_deleted", "message_id": message.id,
                    "room_id": message.room_id, "timestamp": message.updated_at}
        case ReactionChanged(message=message, user=user, emoji=emoji, added=added):
            return {"type": "reaction", "message_id": message.id, **about(message.room_id, user),
                    "emoji": emoji, "added": added,
                    "reactions": render_reactions(message.reactions)}
        case PresenceChanged():
            return render_presence(event)
        case TypingChanged(user=user, is_typing=True):
            return {"type": "typing", **about(event.room_id, user), "timestamp": iso_utc()}
        case RoomDeleted(room=room):
            return {"type": "room_deleted", "room_id": room.id, "timestamp": iso_utc()}
    return render_team_event(event)


def render_team_event(event: Event) -> dict | None:
    """Flat frames of the team features (issue 14), named like the channels ones."""
    match event:
        case MessagePinned(message=message, pinned_by=by, pinned_at=at):
            return {"type": "message_pinned", "message_id": message.id,
                    **about(message.room_id, by), "content": message.content, "timestamp": at}
        case MessageUnpinned(message=message):
            return {"type": "message_unpinned", "message_id": message.id,
                    "room_id": message.room_id, "timestamp": iso_utc()}
        case MessageSaved(message=message, saved=saved):
            return {"type": "message_saved", "message_id": message.id,
                    "room_id": message.room_id, "saved": saved, "timestamp": iso_utc()}
        case StatusChanged(status=status, user=user):
            return {"type": "status", "user_id": user.id, "username": user.username,
                    "emoji": status.emoji, "text": status.text, "dnd": status.dnd,
                    "expires_at": status.expires_at, "timestamp": status.updated_at}
        case ScheduledChanged(scheduled=item):
            return {"type": "scheduled_message", "id": item.id, "room_id": item.room_id,
                    "content": item.content, "send_at": item.send_at, "state": item.state,
                    "message_id": item.message_id, "error": item.error}
        case ReminderChanged(reminder=item):
            return {"type": "reminder", "id": item.id, "message_id": item.message.id,
                    "room_id": item.message.room_id, "remind_at": item.remind_at,
                    "state": item.state}
    return None


class V1Socket:
    name = "v1"

    def render(self, event: Event) -> str | None:
        frame = render_event(event)
        return None if frame is None else dumps(frame)

    def greeting(self, user: User, room: Room, online: list[User], language: str) -> list[str]:
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


DIALECT = V1Socket()


async def chat_socket(request: web.Request) -> web.StreamResponse:
    return await serve_socket(request, DIALECT, request.match_info["room"])
