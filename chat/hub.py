"""The hub: the single entry point for committed events (publish), fanned out to the
live sockets of their room or recipients.

Core publishes events after commit; the hub renders each event once per dialect
present and puts the text on each socket's bounded queue. Publishing never awaits a
socket. The hub also keeps every socket's seats true to the database: a mute, ban,
leave or room deletion updates or removes the seat (closing a per-room socket), and
a join gives the user's user-level sockets a new seat, so frames are authorized by
their seat without a lookup. Presence, typing and activity live in chat/live/.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from chat.events import (
    Event,
    MemberChanged,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    RoomDeleted,
    RoomUpdated,
    SocketsEnded,
    TypingChanged,
)
from chat.i18n import viewer_language
from chat.live.activity import Activity, ActivityRegistry
from chat.live.client import (
    CLOSE_FORBIDDEN,
    CLOSE_GOING_AWAY,
    CLOSE_GONE,
    CLOSE_UNAUTHORIZED,
    Connection,
    Seat,
)
from chat.live.presence import Presence
from chat.live.typing import Typing
from chat.models import User

log = logging.getLogger(__name__)
COALESCE_ABOVE = 50  # sockets in a room above which presence is told in summaries
ADMISSIONS = 32  # sockets handshaking, greeting and replaying at once
SIGN_INS = 128  # sockets signing in or signed in and waiting for admission, at most
FLUSH_SLICE = 16  # sockets written to in one loop turn before the loop reads again


class Hub:
    def __init__(self, coalesce_above: int = COALESCE_ABOVE, sign_ins: int = SIGN_INS):
        self.rooms: dict[int, set[Connection]] = {}
        self.user_connections: dict[int, set[Connection]] = {}
        self.presence = Presence(self.publish, coalesce_above)
        self.presence.sockets_in = lambda room_id: len(self.rooms.get(room_id, ()))
        self.typing = Typing(self._typing_changed)
        # Set by the backplane (chat/scale/) when several processes share the server:
        # what this process's typing and activity tell the others.
        self.relay_typing: Callable[[Event], None] | None = None
        self.relay_activity: Callable[[Activity], None] | None = None
        # Set by core (core/file_links.py): signs a frame's file links per recipient.
        self.file_links = None
        self._activity = ActivityRegistry(self.has_socket)
        self._dirty: list[Connection] = []
        self._acks: list[Connection] = []  # dirty ones that carry their own message back
        self._flush_handle: asyncio.Handle | None = None
        # The two gates of a socket on its way in (chat/web/socket_admission.py).
        self.sign_ins = asyncio.Semaphore(sign_ins)
        self.admission = asyncio.Semaphore(ADMISSIONS)
        # Plain counters read by /metrics when it is on: an int add costs nothing here.
        self.frames_sent = 0
        self.overflows = 0
        # user id -> monotonic time their last socket here closed: the grace period
        # before they count as away (chat/core/reach/away.py).
        self.left_at: dict[int, float] = {}

    # -- sockets and seats ---------------------------------------------------
    def attach(self, conn: Connection) -> None:
        """Register a socket with the seats it was admitted to. Its user and rooms share
        the objects of the sockets already there when they are equal (they are frozen):
        10,000 sockets in one room keep one copy of it."""
        conn.flush_soon = self._flush_soon
        mates = self.user_connections.setdefault(conn.user.id, set())
        if mates and (user := next(iter(mates)).user) == conn.user:
            conn.user = user
        mates.add(conn)
        for room_id, seat in conn.seats.items():
            if (others := self.rooms.get(room_id)) and (
                room := next(iter(others)).seats[room_id].room
            ) == seat.room:
                seat.room = room
            self._sit(conn, room_id)

    def detach(self, conn: Connection) -> None:
        conns = self.user_connections.get(conn.user.id)
        if not conns or conn not in conns:
            return
        conns.discard(conn)
        if not conns:
            del self.user_connections[conn.user.id]
            self.left_at[conn.user.id] = time.monotonic()
        for room_id in list(conn.seats):
            self._stand(conn, room_id)

    def subscribe(self, conn: Connection, seat: Seat) -> None:
        """A user-level socket starts carrying one more room."""
        if seat.room.id not in conn.seats:
            conn.seats[seat.room.id] = seat
            self._sit(conn, seat.room.id)

    def unsubscribe(self, conn: Connection, room_id: int) -> None:
        if room_id in conn.seats:
            self._stand(conn, room_id)
            del conn.seats[room_id]

    def _sit(self, conn: Connection, room_id: int) -> None:
        room = self.rooms.setdefault(room_id, set())
        room.add(conn)
        self.presence.arrive(room_id, conn.user, len(room))

    def _stand(self, conn: Connection, room_id: int) -> None:
        room = self.rooms.get(room_id)
        if room is None or conn not in room:
            return
        room.discard(conn)
        if not room:
            del self.rooms[room_id]
        if self.presence.depart(room_id, conn.user, len(room)):
            self.typing.drop(room_id, conn.user.id)

    def online_in(self, room_id: int, limit: int | None = None) -> list[User]:
        """Users with a socket open in the room, one entry each, by id."""
        return self.presence.users(room_id, limit)

    def online_count(self, room_id: int) -> int:
        return self.presence.count(room_id)

    def is_online_in(self, room_id: int, user_id: int) -> bool:
        return self.presence.is_online(room_id, user_id)

    def has_socket(self, user_id: int) -> bool:
        return bool(self.user_connections.get(user_id))

    def rooms_with_sockets(self) -> set[int]:
        return set(self.rooms)

    # -- fan-out -----------------------------------------------------------
    def _flush_soon(self, conn: Connection) -> None:
        """One flush per loop turn for every connection that got frames in it."""
        self._dirty.append(conn)
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        """Write to the dirty sockets, the senders of new messages first and FLUSH_SLICE
        at a time, each slice in its own loop turn: a sender's next message is read and
        its commit (fsync) runs while the rest of the room is still being written to,
        and a room of 10,000 never holds the loop for one whole fan-out."""
        self._flush_handle = None
        acks, self._acks = self._acks, []
        for conn in acks:
            conn.flush()
        dirty = self._dirty
        self._dirty = dirty[FLUSH_SLICE:]
        for conn in dirty[:FLUSH_SLICE]:
            conn.flush()
        if self._dirty:
            self._flush_handle = asyncio.get_running_loop().call_soon(self._flush)

    def publish(self, event: Event) -> None:
        """Every committed event enters here (and presence and typing, which are not
        stored): rendered once per dialect and language (server-written texts read in
        each viewer's), offered to each target socket. Only a frame that links a hosted
        file is signed per recipient (one MAC each), lazily: other frames are shared."""
        rendered: dict[tuple, tuple[str | None, Callable[[int], str] | None]] = {}
        message_id = author = None
        if isinstance(event, MessagePosted):
            message_id = event.message.id
            author = event.message.sender.id if event.message.sender else None
        sent = 0
        for conn in self._targets(event):
            kind = (conn.dialect.name, conn.language)
            if kind not in rendered:
                token = viewer_language.set(conn.language)
                try:
                    text = conn.dialect.render(event)
                finally:
                    viewer_language.reset(token)
                links = self.file_links
                rendered[kind] = (
                    text,
                    (links.signer(text) if text and links and links.links_in(text) else None),
                )
            text, signed = rendered[kind]
            if text is not None:
                # A file frame is signed for its recipient when their batch is written
                # (sliced across loop turns), not here for the whole room at once.
                conn.offer(text if signed is None else signed, event.room_id, message_id)
                sent += 1
                if conn.user.id == author:
                    self._acks.append(conn)
        self.frames_sent += sent
        self._after(event)

    def _targets(self, event: Event) -> list[Connection]:
        recipients = event.user_ids
        if event.room_id is None or event.everywhere:
            return [c for uid in recipients or () for c in self.user_connections.get(uid, ())]
        conns = self.rooms.get(event.room_id, ())
        if isinstance(event, TypingChanged):
            return [c for c in conns if c.user.id != event.user.id]
        if recipients is None:
            return list(conns)
        return [c for c in conns if c.user.id in recipients]

    # -- seats follow memberships ------------------------------------------------
    def _after(self, event: Event) -> None:
        match event:
            case RoomDeleted(room_id=room_id):
                for conn in list(self.rooms.get(room_id, ())):
                    self._unseat(conn, room_id, CLOSE_GONE)
            case MemberChanged(room_id=room_id, user=user, is_banned=True):
                self._unseat_user(room_id, user.id)
            case MemberChanged(room_id=room_id, user=user, is_muted=muted):
                for conn in self._seated(room_id, user.id):
                    conn.seats[room_id].muted = muted
            case MemberLeft(room_id=room_id, user=user):
                self._unseat_user(room_id, user.id)
            case MemberJoined(user=user, room=room):
                for conn in list(self.user_connections.get(user.id, ())):
                    if conn.user_level:
                        self.subscribe(conn, Seat(room))
            case RoomUpdated(room_id=room_id, room=room):
                for conn in self.rooms.get(room_id, ()):
                    conn.seats[room_id].room = room
            case SocketsEnded(user_id=user_id):
                self.disconnect_user(
                    user_id, CLOSE_UNAUTHORIZED, only=lambda conn: event.ends(conn.credential)
                )

    def _seated(self, room_id: int, user_id: int) -> list[Connection]:
        return [c for c in self.user_connections.get(user_id, ()) if room_id in c.seats]

    def _unseat_user(self, room_id: int, user_id: int) -> None:
        for conn in self._seated(room_id, user_id):
            self._unseat(conn, room_id, CLOSE_FORBIDDEN)

    def _unseat(self, conn: Connection, room_id: int, code: int) -> None:
        """A user-level socket stops carrying the room; a room's own socket closes."""
        if conn.user_level:
            self.unsubscribe(conn, room_id)
        else:
            conn.close(code)

    def disconnect_user(
        self, user_id: int, code: int, only: Callable[[Connection], bool] | None = None
    ) -> None:
        """Close every socket of a user in every room (credentials ended, deactivated),
        or only those that match (one login, one API token)."""
        for conn in list(self.user_connections.get(user_id, ())):
            if only is None or only(conn):
                conn.close(code)

    def close_all(self, code: int = CLOSE_GOING_AWAY) -> None:
        """Shutting down: every socket is hung up on and nobody is told who left."""
        self.presence.quiet = True
        for conns in list(self.user_connections.values()):
            for conn in list(conns):
                conn.hang_up(code)

    # -- typing and activity -----------------------------------------------
    def set_typing(self, room_id: int, user: User, is_typing: bool) -> None:
        self.typing.set(room_id, user, is_typing)

    def _typing_changed(self, event: Event) -> None:
        self.publish(event)
        if self.relay_typing:
            self.relay_typing(event)

    @property
    def activity(self) -> dict[int, Activity]:
        return self._activity.entries

    def touch(self, user: User, ip: str | None, user_agent: str | None) -> Activity:
        entry = self._activity.touch(user, ip, user_agent)
        if self.relay_activity:
            self.relay_activity(entry)
        return entry

    def heard_activity(self, entry: Activity) -> None:
        """Another process saw this user: the registry keeps the later sighting."""
        self._activity.merge(entry)

    def active_users(self) -> list[Activity]:
        return self._activity.active()
