"""One open socket: who, which rooms it has a seat in, its dialect and its send queue.

A seat is the proof of membership a socket got when it was admitted to a room (or
subscribed to it): the hub updates or removes it on every mute, ban, leave and room
deletion, so a frame from the client needs no database lookup to be authorized.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from chat.models import Room, User

CLOSE_GOING_AWAY = 1001
CLOSE_SERVICE_RESTART = 1012  # reconnect and resume (?since=): nothing is lost
CLOSE_TRY_AGAIN = 1013
CLOSE_UNAUTHORIZED = 4001
CLOSE_FORBIDDEN = 4003
CLOSE_GONE = 4004
SLOW_SECONDS = 5.0  # bytes unsent this long with a full queue: the client is not reading
HARD_FACTOR = 10  # a queue this many times its limit closes whatever the reason


class Dialect(Protocol):
    name: str

    def render(self, event) -> str | None:
        """The frame text for this event, or None when the dialect has no such frame."""


class Sink(Protocol):
    """Where a live connection's frames go without waking its writer task."""

    def ready(self) -> bool:
        """The client keeps up: frames may be written now."""

    def behind_for(self) -> float:
        """Seconds the client has had bytes unsent above the high mark (0: keeps up)."""

    def write(self, batch: list[str]) -> None: ...

    def hang_up(self, code: int) -> None:
        """Send a close frame and drop the connection without waiting for the reply."""


@dataclass(slots=True)
class Seat:
    """A socket's place in one room: the room as admitted and whether it may speak."""

    room: Room
    muted: bool = False
    replayed_upto: int = 0  # live messages at or below this id were already replayed


class Connection:
    """Frames queued in one turn of the event loop are written together by the hub's
    flush straight to the socket's Sink; only a client that falls behind (or a close)
    wakes its socket, which starts a writer task for as long as there is work: an idle
    socket has no task of its own waiting to write (10,000 of them would cost ~2 KiB each).

    A full queue alone does not close a socket (one turn may queue many frames for a
    client that reads fine): only a client that has left bytes unsent for SLOW_SECONDS,
    or a queue HARD_FACTOR times over its limit, is closed with 1013.
    """

    __slots__ = (
        "user",
        "language",
        "dialect",
        "limit",
        "on_overflow",
        "user_level",
        "seats",
        "credential",
        "queue",
        "waker",
        "close_code",
        "sink",
        "flush_soon",
        "_flush_pending",
        "held",
    )

    def __init__(
        self,
        user: User,
        dialect: Dialect,
        limit: int,
        on_overflow: Callable[[Connection], None],
        user_level: bool = False,
        language: str | None = None,
    ):
        self.user = user
        self.language = language  # server-written texts are rendered in it
        self.dialect = dialect
        self.limit = limit
        self.on_overflow = on_overflow
        self.user_level = user_level  # one socket for all the user's rooms
        self.seats: dict[int, Seat] = {}
        self.queue: list[tuple[str | Callable[[int], str], int | None, int | None]] = []
        self.waker: Callable[[], None] | None = None  # set by its socket once it writes
        self.close_code: int | None = None
        self.sink: Sink | None = None  # set once greeting and replay are sent
        self.flush_soon: Callable[[Connection], None] | None = None  # set by the hub
        self._flush_pending = False
        self.held = False
        self.credential = None  # what authenticated it (models.Credential), set by its socket

    def offer(
        self,
        text: str | Callable[[int], str],
        room_id: int | None = None,
        message_id: int | None = None,
    ) -> None:
        """Queue a frame: its text, or (a frame linking files) what signs it for a user,
        called when the frame is taken for writing."""
        if self.close_code is not None:
            return
        if len(self.queue) >= self.limit and self._too_slow():
            self.close_code = CLOSE_TRY_AGAIN
            self.on_overflow(self)
            return
        self.queue.append((text, room_id, message_id))
        if self.sink is None or self.flush_soon is None:
            self.wake()
        elif not self._flush_pending:
            self._flush_pending = True
            self.flush_soon(self)

    def _too_slow(self) -> bool:
        if len(self.queue) >= self.limit * HARD_FACTOR:
            return True
        return self.sink is not None and self.sink.behind_for() >= SLOW_SECONDS

    def flush(self) -> None:
        """Write what is queued now, unless the client is behind or closing."""
        self._flush_pending = False
        if self.held:
            return
        if self.close_code is not None or self.sink is None or not self.sink.ready():
            self.wake()
        elif batch := self._take():
            self.sink.write(batch)

    def hold(self) -> None:
        """Live frames wait in the queue while a replay is sent first."""
        self.held = True

    def release(self) -> None:
        self.held = False
        self.wake()

    def close(self, code: int) -> None:
        """Ask the writer to send what is queued, then close with code."""
        if self.close_code is None:
            self.close_code = code
        self.wake()

    def wake(self) -> None:
        """Start the socket's writer if there is work for it (frames, or a close)."""
        if self.waker is not None and (
            self.close_code is not None or (self.queue and not self.held)
        ):
            self.waker()

    def hang_up(self, code: int) -> None:
        """Shutting down: what is queued, a close frame, and the connection is dropped at
        once (10,000 close handshakes would outlast a SIGTERM's grace period)."""
        self.flush()
        if self.sink is not None:
            self.sink.hang_up(code)  # first: its writer has nothing left to do then
        self.close(code)

    def _take(self) -> list[str]:
        batch = []
        queue, self.queue = self.queue, []
        for text, room_id, message_id in queue:
            if message_id is not None:
                seat = self.seats.get(room_id)
                if seat is not None and message_id <= seat.replayed_upto:
                    continue
            batch.append(text if type(text) is str else text(self.user.id))
        return batch

    def next_batch(self) -> list[str] | None:
        """Frames to send now, [] when there are none (the writer may end: the next
        wake starts it again), None when it must close now with close_code."""
        while True:
            if (not self.queue or self.held) and self.close_code is None:
                return []
            if self.close_code == CLOSE_TRY_AGAIN or not self.queue:
                return None
            if batch := self._take():
                return batch
