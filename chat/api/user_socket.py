"""The native user-level socket: /ws/user/?token=JWT — one socket per browser tab,
carrying every room the user is a member of (docs/user-socket.md).

Frames are the channels dialect's, each with the room_id it belongs to; the rendering
is the channels table plus the entries below, so an event added there travels here too.
Client frames name their room: chat_message and typing take room_id; resume takes
{room_id: last message id} and replays each room (bounded, as ?since= is).
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from chat.api.threads import serialize_follow
from chat.core.conversation import rooms
from chat.core.fields import check_int
from chat.errors import BadInput, Forbidden
from chat.events import (
    Event,
    MemberJoined,
    MemberLeft,
    ProfileChanged,
    ThreadStateChanged,
    ThreadUpdated,
)
from chat.i18n import translate
from chat.live.client import Seat
from chat.models import Message, User
from chat.web.jsonio import dumps
from chat.web.replay import replay
from chat.web.socket_admission import socket_handler
from chat.web.socket_commands import (
    NoCommand,
    OnlineCommand,
    ReadCommand,
    ResumeCommand,
    SendCommand,
    TypingCommand,
)
from chat.web.sockets import SocketSession
from chat.wire.channels import socket as channels
from chat.wire.channels.serialize import (
    serialize_message,
    serialize_room,
    serialize_thread,
    serialize_user,
    serialize_user_brief,
)

MAX_RESUME_ROOMS = 1000

FRAMES: dict[type, Callable[[Event], dict | None]] = {
    **channels.FRAMES,
    MemberJoined: lambda e: {"type": "room_joined", "room": serialize_room(e.room)},
    MemberLeft: lambda e: {"type": "member_left", "user": serialize_user_brief(e.user)},
    ProfileChanged: lambda e: {"type": "user_updated", "user": serialize_user(e.user)},
    # threads live only here: the seeds' sockets have no threads (docs/threads.md)
    ThreadUpdated: lambda e: {"type": "thread_updated", "thread": serialize_thread(e.thread)},
    ThreadStateChanged: lambda e: {"type": "thread_state", "follow": serialize_follow(e.follow)},
}


def render_event(event: Event) -> dict | None:
    frame = FRAMES.get(type(event))
    if frame is None or (body := frame(event)) is None:
        return None
    return {**body, "room_id": event.room_id} if event.room_id is not None else body


class UserSocket:
    name = "user"

    def render(self, event: Event) -> str | None:
        frame = render_event(event)
        return None if frame is None else dumps(frame)

    def greeting(self, user: User, seats: list[tuple[Seat, int]], language: str) -> str:
        return dumps(
            {
                "type": "connection_established",
                "message": translate("connected", language),
                "user": serialize_user_brief(user),
                "rooms": [
                    {"id": seat.room.id, "name": seat.room.name, "online_count": online}
                    for seat, online in seats
                ],
            }
        )

    def parse(self, frame: dict):
        kind = frame.get("type")
        if kind == "chat_message":
            return SendCommand(
                frame.get("content"),
                frame.get("message_type", "text"),
                frame.get("reply_to"),
                frame.get("client_id"),
                frame.get("room_id"),
            )
        if kind == "typing":
            is_typing = frame.get("is_typing", True)
            if not isinstance(is_typing, bool):
                raise BadInput("field_type", field="is_typing", kind="a boolean")
            return TypingCommand(is_typing, frame.get("room_id"))
        if kind == "read":
            return ReadCommand(frame.get("message_id"))
        if kind == "resume":
            return ResumeCommand(frame.get("rooms"))
        if kind == "online":
            return OnlineCommand(frame.get("room_id"))
        if kind == "ping":
            return NoCommand()
        raise BadInput("frame_unknown_type", type=str(kind)[:40])

    def render_message(self, message: Message) -> str:
        return dumps(
            {
                "type": "chat_message",
                "room_id": message.room_id,
                "message": serialize_message(message),
            }
        )

    def render_online(self, room_id: int, users: list[User], count: int) -> str:
        return dumps(
            {
                "type": "online_users",
                "room_id": room_id,
                "online_users": channels.brief_users(users),
                "online_count": count,
            }
        )

    def render_gap(self, room_id: int, since: int, limit: int) -> str:
        return dumps(channels.gap_frame(room_id, since, limit))


DIALECT = UserSocket()


def parse_resume(rooms_since) -> dict[int, int]:
    """{room id: last message id} from a resume frame (or the ?resume= query)."""
    if not isinstance(rooms_since, dict) or len(rooms_since) > MAX_RESUME_ROOMS:
        raise BadInput("field_type", field="rooms", kind="an object of room id: message id")
    return {
        check_int("room_id", room, 1, 2**62): check_int("since", since, 0, 2**62)
        for room, since in rooms_since.items()
    }


def resume_query(raw: str | None) -> dict[int, int]:
    """?resume=12:340,15:0 — the same map in a URL."""
    if not raw:
        return {}
    pairs = [item.partition(":") for item in raw.split(",")[: MAX_RESUME_ROOMS + 1]]
    return parse_resume({room: since for room, _, since in pairs})


class UserSession(SocketSession):
    """A seat in every room of the user; joins add seats, leaves and bans remove them
    without closing the socket."""

    __slots__ = ("resume_from",)

    async def open(self) -> None:
        self.resume_from = resume_query(self.request.query.get("resume"))
        self.conn = self.connection(user_level=True)
        for room, muted in await rooms.seats_of(self.core, self.user):
            self.conn.seats[room.id] = Seat(room, muted)

    async def greet(self) -> None:
        hub = self.core.hub
        seats = [(seat, hub.online_count(room_id)) for room_id, seat in self.conn.seats.items()]
        await self.send_now(self.dialect.greeting(self.user, seats, self.language))
        for room_id, since in self.resume_from.items():
            await replay(self, room_id, since)

    def seat(self, room_id) -> Seat:
        seat = self.conn.seats.get(check_int("room_id", room_id, 1, 2**62))
        if seat is None:
            raise Forbidden("not_a_member")
        return seat

    async def resume(self, rooms_since) -> None:
        """Live frames wait while the rooms are replayed, and those already replayed
        are skipped: no gap, no duplicate."""
        wanted = parse_resume(rooms_since)
        self.conn.hold()
        try:
            for room_id, since in wanted.items():
                await replay(self, room_id, since)
        finally:
            self.conn.release()


user_socket = socket_handler(UserSession, DIALECT)


def setup(app: web.Application) -> None:
    app.router.add_get("/ws/user/", user_socket)
    app.router.add_get("/ws/user", user_socket)
