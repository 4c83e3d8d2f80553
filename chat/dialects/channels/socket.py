"""Channels WebSocket frames: /ws/chat/{room_id}/?token=JWT."""
from __future__ import annotations

from aiohttp import web

from ...errors import BadInput
from ...events import (Event, MemberChanged, MessageDeleted, MessagePosted, MessageUpdated,
                       NotificationCreated, PresenceChanged, ReactionChanged, ReadMarked,
                       RoomDeleted, RoomUpdated, TypingChanged)
from ...i18n import translate
from ...models import Message, Room, User
from ...web.jsonio import dumps
from ...web.sockets import NoCommand, ReadCommand, SendCommand, TypingCommand, serve_socket
from .serialize import (serialize_message, serialize_notification, serialize_reactions,
                        serialize_room, serialize_room_brief, serialize_user_brief)


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
