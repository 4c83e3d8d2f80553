"""The hub: live sockets per room, presence, typing, and fan-out.

Core publishes events after commit; the hub renders each event once per dialect
present in the room and puts the text on each socket's bounded queue. Publishing
never awaits a socket: a socket whose queue is full is closed (1013) by its owner.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from dataclasses import dataclass
from typing import Callable, Protocol

from .clock import ago, iso_utc
from .events import (Event, MemberChanged, MemberLeft, MessagePosted, PresenceChanged,
                     RoomDeleted, TypingChanged)
from .i18n import viewer_language
from .models import User

log = logging.getLogger(__name__)
TYPING_SECONDS = 5.0
ACTIVITY_WINDOW = 30 * 60
CLOSE_GOING_AWAY = 1001
CLOSE_TRY_AGAIN = 1013
CLOSE_FORBIDDEN = 4003
CLOSE_GONE = 4004


class Dialect(Protocol):
    name: str

    def render(self, event: Event) -> str | None:
        """The frame text for this event, or None when the dialect has no such frame."""


class Sink(Protocol):
    """Where a live connection's frames go without waking its writer task."""

    def ready(self) -> bool:
        """The client keeps up: frames may be written now."""

    def write(self, batch: list[str]) -> None: ...


class Connection:
    """One open socket: who, where, in which dialect, and its bounded send queue.

    Frames queued in one turn of the event loop are written together by the hub's flush
    straight to the socket's Sink; only a client that falls behind (or a close) wakes
    the socket's writer task, which waits for the client and closes it (1013) when the
    queue overflows.
    """

    def __init__(self, user: User, room_id: int, dialect: Dialect, limit: int,
                 on_overflow: Callable[["Connection"], None], language: str | None = None):
        self.user = user
        self.language = language
        self.room_id = room_id
        self.dialect = dialect
        self.limit = limit
        self.on_overflow = on_overflow
        self.queue: deque[tuple[str, int | None]] = deque()
        self.wakeup = asyncio.Event()
        self.close_code: int | None = None
        self.replayed_upto = 0  # live messages at or below this id were already replayed
        self.sink: Sink | None = None  # set once greeting and replay are sent
        self.flush_soon: Callable[["Connection"], None] | None = None  # set by the hub
        self._flush_pending = False

    def offer(self, text: str, message_id: int | None = None) -> None:
        if self.close_code is not None:
            return
        if len(self.queue) >= self.limit:
            self.close_code = CLOSE_TRY_AGAIN
            self.on_overflow(self)
            return
        self.queue.append((text, message_id))
        if self.sink is None or self.flush_soon is None:
            self.wakeup.set()
        elif not self._flush_pending:
            self._flush_pending = True
            self.flush_soon(self)

    def flush(self) -> None:
        """Write what is queued now, unless the client is behind or closing."""
        self._flush_pending = False
        if self.close_code is not None or self.sink is None or not self.sink.ready():
            self.wakeup.set()
        elif batch := self._take():
            self.sink.write(batch)

    def close(self, code: int) -> None:
        """Ask the writer to send what is queued, then close with code."""
        if self.close_code is None:
            self.close_code = code
        self.wakeup.set()

    def _take(self) -> list[str]:
        batch = []
        while self.queue:
            text, message_id = self.queue.popleft()
            if message_id is None or message_id > self.replayed_upto:
                batch.append(text)
        return batch

    async def next_batch(self) -> list[str] | None:
        """Wait for frames to send; None means: close now with close_code."""
        while True:
            while not self.queue and self.close_code is None:
                self.wakeup.clear()
                await self.wakeup.wait()
            if self.close_code == CLOSE_TRY_AGAIN or not self.queue:
                return None
            if batch := self._take():
                return batch


@dataclass
class Activity:
    user: User
    ip: str | None
    user_agent: str | None
    login_time: str
    last_activity: str
    last_seen: float


class Hub:
    def __init__(self):
        self.rooms: dict[int, set[Connection]] = {}
        self.presence: dict[int, Counter] = {}
        self.user_connections: dict[int, set[Connection]] = {}
        self.activity: dict[int, Activity] = {}
        self._typing: dict[tuple[int, int], asyncio.TimerHandle] = {}
        self._dirty: list[Connection] = []
        self._flush_handle: asyncio.Handle | None = None

    # -- sockets -----------------------------------------------------------
    def attach(self, conn: Connection) -> None:
        conn.flush_soon = self._flush_soon
        self.rooms.setdefault(conn.room_id, set()).add(conn)
        self.user_connections.setdefault(conn.user.id, set()).add(conn)
        counts = self.presence.setdefault(conn.room_id, Counter())
        counts[conn.user.id] += 1
        if counts[conn.user.id] == 1:
            self.publish(PresenceChanged(conn.room_id, conn.user, online=True))

    def detach(self, conn: Connection) -> None:
        room = self.rooms.get(conn.room_id, set())
        if conn not in room:
            return
        room.discard(conn)
        self.user_connections.get(conn.user.id, set()).discard(conn)
        if not self.user_connections.get(conn.user.id):
            self.user_connections.pop(conn.user.id, None)
        counts = self.presence[conn.room_id]
        counts[conn.user.id] -= 1
        if counts[conn.user.id] <= 0:
            del counts[conn.user.id]
            self._stop_typing(conn.room_id, conn.user.id)
            self.publish(PresenceChanged(conn.room_id, conn.user, online=False))
        if not room:
            self.rooms.pop(conn.room_id, None)
            self.presence.pop(conn.room_id, None)

    def online_in(self, room_id: int) -> list[User]:
        """Users with a socket open in the room, one entry each."""
        seen: dict[int, User] = {}
        for conn in self.rooms.get(room_id, ()):
            seen.setdefault(conn.user.id, conn.user)
        return sorted(seen.values(), key=lambda u: u.id)

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
        self._flush_handle = None
        dirty, self._dirty = self._dirty, []
        for conn in dirty:
            conn.flush()

    def publish(self, event: Event) -> None:
        targets = self._targets(event)
        rendered: dict[tuple, str | None] = {}
        message_id = event.message.id if isinstance(event, MessagePosted) else None
        for conn in targets:
            # Once per dialect and language: server-written texts read in each viewer's.
            kind = (conn.dialect.name, conn.language)
            if kind not in rendered:
                token = viewer_language.set(conn.language)
                try:
                    rendered[kind] = conn.dialect.render(event)
                finally:
                    viewer_language.reset(token)
            text = rendered[kind]
            if text is not None:
                conn.offer(text, message_id)
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

    def _after(self, event: Event) -> None:
        if isinstance(event, RoomDeleted):
            for conn in list(self.rooms.get(event.room_id, ())):
                conn.close(CLOSE_GONE)
        elif isinstance(event, MemberChanged) and event.is_banned:
            self.close_user(event.room_id, event.user.id, CLOSE_FORBIDDEN)
        elif isinstance(event, MemberLeft):
            self.close_user(event.room_id, event.user.id, CLOSE_FORBIDDEN)

    def close_user(self, room_id: int, user_id: int, code: int) -> None:
        for conn in list(self.rooms.get(room_id, ())):
            if conn.user.id == user_id:
                conn.close(code)

    def disconnect_user(self, user_id: int, code: int) -> None:
        """Close every socket of a user in every room (credentials ended, deactivated)."""
        for conn in list(self.user_connections.get(user_id, ())):
            conn.close(code)

    def close_all(self, code: int = CLOSE_GOING_AWAY) -> None:
        for conns in list(self.rooms.values()):
            for conn in list(conns):
                conn.close(code)

    # -- typing ------------------------------------------------------------
    def set_typing(self, room_id: int, user: User, is_typing: bool) -> None:
        """Typing expires by itself after a few seconds without a refresh."""
        key = (room_id, user.id)
        timer = self._typing.pop(key, None)
        if timer:
            timer.cancel()
        if is_typing:
            loop = asyncio.get_running_loop()
            self._typing[key] = loop.call_later(
                TYPING_SECONDS, self._expire_typing, room_id, user)
        if is_typing or timer:
            self.publish(TypingChanged(room_id, user, is_typing))

    def _expire_typing(self, room_id: int, user: User) -> None:
        self._typing.pop((room_id, user.id), None)
        self.publish(TypingChanged(room_id, user, False))

    def _stop_typing(self, room_id: int, user_id: int) -> None:
        timer = self._typing.pop((room_id, user_id), None)
        if timer:
            timer.cancel()

    # -- activity (REST heartbeats and sockets) -----------------------------
    def touch(self, user: User, ip: str | None, user_agent: str | None) -> Activity:
        stamp = iso_utc()
        entry = self.activity.get(user.id)
        if entry is None or entry.last_seen < ago(ACTIVITY_WINDOW).timestamp():
            entry = Activity(user, ip, user_agent, stamp, stamp, 0.0)
            self.activity[user.id] = entry
        entry.user, entry.last_activity = user, stamp
        entry.ip, entry.user_agent = ip or entry.ip, user_agent or entry.user_agent
        entry.last_seen = ago(0).timestamp()
        return entry

    def active_users(self) -> list[Activity]:
        """Users with an open socket or activity in the last 30 minutes; the others are
        forgotten here, so the registry never outgrows who is around."""
        horizon = ago(ACTIVITY_WINDOW).timestamp()
        for user_id in [uid for uid, a in self.activity.items()
                        if a.last_seen < horizon and not self.has_socket(uid)]:
            del self.activity[user_id]
        return sorted(self.activity.values(), key=lambda a: a.user.id)
