"""What a socket dialect is: the commands it parses client frames into, and what it
renders. The socket loop (sockets.py) acts on the commands; each dialect (v1, channels,
the user-level socket) only translates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chat.events import Event
from chat.models import Message, Room, User


@dataclass(frozen=True)
class SendCommand:
    content: object
    message_type: object = "text"
    reply_to: object = None
    client_id: object = None
    room_id: object = None  # the user-level socket names the room; a room's socket does not


@dataclass(frozen=True)
class TypingCommand:
    is_typing: bool = True
    room_id: object = None


@dataclass(frozen=True)
class ReadCommand:
    message_id: object


@dataclass(frozen=True)
class ResumeCommand:
    """User-level socket: replay each room after the last message id the client has."""

    rooms: object


@dataclass(frozen=True)
class OnlineCommand:
    """User-level socket: who is online in one room (large rooms send only counts)."""

    room_id: object


@dataclass(frozen=True)
class NoCommand:
    """A frame the dialect accepts that needs no action (channels user_join)."""


class SocketDialect(Protocol):
    name: str

    def render(self, event: Event) -> str | None: ...
    def greeting(
        self, user: User, room: Room, online: list[User], online_count: int, language: str
    ) -> list[str]: ...
    def parse(self, frame: dict) -> SendCommand | TypingCommand | ReadCommand | NoCommand: ...
    def render_message(self, message: Message) -> str: ...
    def render_gap(self, room_id: int, since: int, limit: int) -> str: ...
