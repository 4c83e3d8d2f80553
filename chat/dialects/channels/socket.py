"""Channels WebSocket frames: /ws/chat/{room_id}/?token=JWT."""
from __future__ import annotations

from aiohttp import web

from ...errors import BadInput
from ...events import (Event, MemberChanged, MessageDeleted, MessagePinned, MessagePosted,
                       MessageSaved, MessageUnpinned, MessageUpdated, NotificationCreated,
                       PresenceChanged, ReactionChanged, ReadMarked, ReminderChanged,
                       RoomDeleted, RoomUpdated, ScheduledChanged, StatusChanged, TypingChanged)
from ...i18n import translate
from ...models import Message, Room, User
from ...web.jsonio import dumps
from ...web.sockets import NoCommand, ReadCommand, SendCommand, TypingCommand, serve_socket
from .serialize import (serialize_message, serialize_notification, serialize_reactions,
                        serialize_room, serialize_room_brief, serialize_user_brief)
from .team import serialize_reminder, serialize_scheduled, serialize_status


def render_event(event: Event) -> dict | None:
    match event:
        case MessagePosted(message=message):
            return {"type": "chat_message", "message": serialize_message(message)}
        case MessageUpdated(message=message):
            return {"type": "message_updated", "message": serialize_message(message)}
        case MessageDeleted(message=message):
            return {"type": "message_deleted", "message": serialize_message(message)}
        case ReactionChanged(message=message, user=user, emoji=emoji, added=added):
            return {"type": "reaction", "message_id": message.id, "emoji": emoji,
                    "user": serialize_user_brief(user), "added": added,
                    "reactions": serialize_reactions(message.reactions, None)}
        case PresenceChanged(user=user, online=online):
            return {"type": "user_join" if online else "user_leave",
                    "user": serialize_user_brief(user)}
        case TypingChanged(user=user, is_typing=is_typing):
            return {"type": "typing", "user": serialize_user_brief(user), "is_typing": is_typing}
        case RoomUpdated(room=room):
            return {"type": "room_updated", "room": serialize_room(room)}
        case RoomDeleted(room=room):
            return {"type": "room_deleted", "room": serialize_room_brief(room.id, room.name)}
        case MemberChanged(room_id=room_id, user=user, role=role, is_muted=muted, is_banned=banned):
            return {"type": "member_updated", "room_id": room_id,
                    "user": serialize_user_brief(user), "role": role, "is_muted": muted,
                    "is_banned": banned}
        case ReadMarked(room_id=room_id, message_id=message_id, unread_count=unread):
            return {"type": "read", "room_id": room_id, "message_id": message_id,
                    "unread_count": unread}
        case NotificationCreated(notification=notification):
            return {"type": "notification", "notification": serialize_notification(notification)}
    return render_team_event(event)


def render_team_event(event: Event) -> dict | None:
    """Frames of the team features (issue 14)."""
    match event:
        case MessagePinned(room_id=room_id, message=message, pinned_by=by, pinned_at=at):
            return {"type": "message_pinned", "room_id": room_id,
                    "message": serialize_message(message), "pinned_by": serialize_user_brief(by),
                    "pinned_at": at}
        case MessageUnpinned(room_id=room_id, message=message):
            return {"type": "message_unpinned", "room_id": room_id, "message_id": message.id}
        case MessageSaved(message=message, saved=saved):
            return {"type": "message_saved", "message": serialize_message(message), "saved": saved}
        case StatusChanged(status=status, user=user):
            return {"type": "status", "user": serialize_user_brief(user),
                    "status": serialize_status(status)}
        case ScheduledChanged(scheduled=scheduled):
            return {"type": "scheduled_message", "scheduled": serialize_scheduled(scheduled)}
        case ReminderChanged(reminder=reminder):
            return {"type": "reminder", "reminder": serialize_reminder(reminder)}
    return None


class ChannelsSocket:
    name = "channels"

    def render(self, event: Event) -> str | None:
        frame = render_event(event)
        return None if frame is None else dumps(frame)

    def greeting(self, user: User, room: Room, online: list[User], language: str) -> list[str]:
        return [dumps({
            "type": "connection_established", "message": translate("connected", language),
            "user": serialize_user_brief(user), "room": serialize_room(room),
            "online_users": [serialize_user_brief(u) for u in online],
        })]

    def parse(self, frame: dict):
        kind = frame.get("type")
        if kind == "chat_message":
            return SendCommand(frame.get("content"), frame.get("message_type", "text"),
                               frame.get("reply_to"), frame.get("client_id"))
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


DIALECT = ChannelsSocket()


async def chat_socket(request: web.Request) -> web.StreamResponse:
    return await serve_socket(request, DIALECT, request.match_info["room"])
