"""The socket loop every WebSocket dialect shares.

Order of a connection: check origin, authenticate (else close 4001; a cookie only from
a page of this site) and be admitted (chat/web/socket_admission.py), accept; open the
room (4003 / 4004) or, for the user-level socket, its rooms, register the seats with
the hub, send the dialect's greeting, replay messages after ?since= (bounded: further
back gets a history_gap frame), then start the writer and read client frames.
Registering before reading the replay, and skipping live messages already replayed,
gives a resume with no gap and no duplicate. A frame is authorized by its seat, which
the hub keeps true to every mute, ban and leave.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import WSMsgType, web

from chat.core import storage_error
from chat.core.conversation import messages
from chat.core.people import online as activity
from chat.errors import BadInput, ChatError, Forbidden
from chat.i18n import translate, viewer_language
from chat.keys import core_key, settings_key
from chat.live.client import CLOSE_TRY_AGAIN, Connection, Seat
from chat.models import Credential, User
from chat.settings import LANGUAGES
from chat.web.auth import request_language
from chat.web.jsonio import dumps, parse_frame
from chat.web.log_budget import storage_failed
from chat.web.peers import client_address
from chat.web.socket_auth import CredentialWatch
from chat.web.socket_commands import (
    OnlineCommand,
    ReadCommand,
    ResumeCommand,
    SendCommand,
    SocketDialect,
    TypingCommand,
)
from chat.web.wsframes import close_frame, text_frame

log = logging.getLogger(__name__)
MAX_FRAME = 64 * 1024
IN_FLIGHT = 32  # sends of one socket awaiting commit at once
FRAMES_PER_TURN = 8  # client frames read in a row before the loop gets a turn
ONLINE_LISTED = 1000  # users an online_users answer names at most
CLOSE_GRACE = 5.0  # seconds a closing writer may take for the handshake
WRITE_HIGH = 64 * 1024  # bytes buffered for a client before its writer waits (asyncio's mark)
DRAIN_POLL = 0.005  # how often a waiting writer looks again
CLOSED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)  # end of `async for ws`


class SocketSession:
    """The loop every socket shares: register the seats, greet and replay, then write
    queued frames and act on the client's frames. Subclasses say which seats.
    Slotted, and its in-flight bookkeeping made on the first send: an idle socket is
    mostly aiohttp's."""

    __slots__ = (
        "request",
        "ws",
        "dialect",
        "core",
        "language",
        "conn",
        "user",
        "credential",
        "watch",
        "writer",
        "reader",
        "read_stopped",
        "closing",
        "in_flight",
        "tasks",
        "behind_since",
        "early",
    )

    def __init__(self, request: web.Request, ws: web.WebSocketResponse, dialect: SocketDialect):
        self.request = request
        self.ws = ws
        self.dialect = dialect
        self.core = request.app[core_key]
        self.language = request_language(request)
        self.conn: Connection | None = None
        self.user: User | None = None
        self.credential: Credential | None = None
        self.watch: CredentialWatch | None = None
        self.writer: asyncio.Task | None = None
        self.reader: asyncio.Task | None = None  # the handler's task while it reads frames
        self.read_stopped: asyncio.Future | None = None  # set when reading was stopped
        self.closing: asyncio.Task | None = None
        self.in_flight: asyncio.Semaphore | None = None
        self.tasks: set[asyncio.Task] | None = None
        self.behind_since: float | None = None
        self.early: list | None = None  # client frames a replay read, for the read loop

    def connection(self, user_level: bool = False) -> Connection:
        return Connection(
            self.user,
            self.dialect,
            self.request.app[settings_key].socket_queue_limit,
            self._overflowed,
            user_level,
            language=self.language,
        )

    async def greet(self) -> None:
        """Frames sent before live ones: greeting and replay."""

    async def run(self, admission: asyncio.Semaphore) -> None:
        hub = self.core.hub
        hub.attach(self.conn)
        self.watch = CredentialWatch(self.core, self.conn, self.credential)
        try:
            try:
                hub.touch(
                    self.user, client_address(self.request), self.request.headers.get("User-Agent")
                )
                await self.greet()
            finally:
                admission.release()
            self.conn.sink = self
            self.conn.waker = self._wake_writer
            self.conn.wake()  # whatever was offered during the greeting
            await self._read()
        except (ConnectionError, RuntimeError):
            pass
        finally:
            self.watch.stop()
            await self._stop_reading()
            hub.detach(self.conn)
            self.conn.close(1000)
            for task in list(self.tasks or ()):
                await asyncio.gather(task, return_exceptions=True)
            if self.writer:
                # A close the server started waits here for the client's reply: cutting
                # the writer short would drop the connection and lose the close code.
                await asyncio.gather(
                    asyncio.wait_for(self.writer, CLOSE_GRACE), return_exceptions=True
                )
            if self.closing:
                await asyncio.gather(self.closing, return_exceptions=True)

    async def _read(self) -> None:
        """Client frames, until the client closes or the server stops reading first.
        Runs in the handler's own task (a reader task per socket would cost 10,000 idle
        sockets ~1 KiB each); stopping it cancels that task while it is in here, and
        only that cancel is absorbed. Yields to the loop every few frames, so a burst
        from one client cannot hold everyone else's frames back for a whole turn.
        Frames a replay read early come first, in order. It awaits ws.receive() itself:
        `async for` over a generator of frames kept an async generator, its frame and
        aiohttp's __anext__ waiting in every idle socket."""
        self.reader = asyncio.current_task()
        handled = 0
        try:
            while True:
                if self.early:
                    msg = self.early.pop(0)
                elif (msg := await self.ws.receive()).type in CLOSED:
                    break
                if msg.type == WSMsgType.TEXT:
                    await self._handle(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._error(BadInput("frame_not_json"))
                handled += 1
                if handled % FRAMES_PER_TURN == 0:
                    await asyncio.sleep(0)
        except (ConnectionError, RuntimeError):
            pass
        except asyncio.CancelledError:
            if self.read_stopped is None:
                raise  # not ours (the server's shutdown): the handler ends
            self.reader.uncancel()
        finally:
            self.reader = None
            if self.read_stopped is not None and not self.read_stopped.done():
                self.read_stopped.set_result(None)

    def _cancel_reading(self) -> asyncio.Future | None:
        """Stop reading client frames; the future is done once it has stopped."""
        if self.reader is None:
            return None
        if self.read_stopped is None:
            self.read_stopped = asyncio.get_running_loop().create_future()
            self.reader.cancel()
        return self.read_stopped

    async def _stop_reading(self) -> None:
        """aiohttp drops the connection at once if close() meets a pending receive, and
        the client would see 1006 instead of our close code: stop reading first."""
        if (stopped := self._cancel_reading()) is not None:
            await asyncio.shield(stopped)

    def signed(self, text: str) -> str:
        """A frame with its file links signed for this socket's user (the hub signs
        what it fans out; this is for what the socket sends by itself)."""
        return self.core.file_links.sign_text(text, self.user.id)

    async def send_now(self, text: str) -> None:
        await self.ws.send_str(self.signed(text))

    def seat(self, room_id) -> Seat:
        """The seat a frame acts in (the room's own socket has one)."""
        return next(iter(self.conn.seats.values()))

    async def _handle(self, text: str) -> None:
        try:
            frame = parse_frame(text)
            if frame.get("type") == "auth":  # every dialect: renew the credential
                await self.watch.renew(frame.get("token"))
                return
            if frame.get("type") == "language":  # every dialect: the page switched language
                self.use_language(frame.get("language"))
                return
            command = self.dialect.parse(frame)
            if isinstance(command, SendCommand):
                seat = self.seat(command.room_id)
                if self.in_flight is None:
                    self.in_flight, self.tasks = asyncio.Semaphore(IN_FLIGHT), set()
                await self.in_flight.acquire()
                task = asyncio.create_task(self._send(command, seat))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            elif isinstance(command, TypingCommand):
                seat = self.seat(command.room_id)
                await self._guard(
                    activity.set_typing(self.core, self.user, seat.room.id, command.is_typing)
                )
            elif isinstance(command, ReadCommand):
                await self._guard(messages.mark_read(self.core, self.user, command.message_id))
            elif isinstance(command, ResumeCommand):
                await self.resume(command.rooms)
            elif isinstance(command, OnlineCommand):
                room_id = self.seat(command.room_id).room.id
                hub = self.core.hub
                self.conn.offer(
                    self.dialect.render_online(
                        room_id, hub.online_in(room_id, ONLINE_LISTED), hub.online_count(room_id)
                    )
                )
        except ChatError as exc:
            self._error(exc)

    def use_language(self, language) -> None:
        """Server-written texts (joins, leaves, uploads, notification titles, errors) are
        rendered in the socket's language: a page that switches says so, and what
        arrives afterwards, live or replayed, reads in the new one."""
        if language not in LANGUAGES:
            raise BadInput("field_choice", field="language", choices=", ".join(LANGUAGES))
        self.language = self.conn.language = language
        viewer_language.set(language)  # replays are rendered in this (the reader's) task
        self.conn.offer(dumps({"type": "language_ok", "language": language}))

    async def resume(self, rooms) -> None:
        raise BadInput("frame_unknown_type", type="resume")

    async def _send(self, command: SendCommand, seat: Seat) -> None:
        """Stored, then broadcast by core; a client_id retry is answered to the sender.
        The seat is checked again when the write runs: a ban or mute committed
        meanwhile has reached the hub by then."""
        conn = self.conn

        def still_seated() -> None:
            if conn.seats.get(seat.room.id) is not seat:
                raise Forbidden("not_a_member")
            check_seat_speaks(seat)

        try:
            check_seat_speaks(seat)
            result = await self._guard(
                messages.send_seated(
                    self.core,
                    self.user,
                    seat.room,
                    still_seated,
                    command.content,
                    command.message_type,
                    command.reply_to,
                    command.client_id,
                )
            )
            if result is not None and not result.created:
                self.conn.offer(self.signed(self.dialect.render_message(result.message)))
        except ChatError as exc:
            self._error(exc)
        finally:
            self.in_flight.release()

    async def _guard(self, call):
        try:
            return await call
        except ChatError as exc:
            self._error(exc)
        except Exception as exc:
            if (failure := storage_error(exc)) is None:
                log.exception("socket command failed")
                failure = ChatError("internal_error")
            else:  # the database is away: this frame is refused, the socket stays
                storage_failed("a socket command", exc)
            self._error(failure)
        return None

    def _error(self, exc: ChatError) -> None:
        text = translate(exc.key, self.language, **exc.params)
        # Every socket dialect answers a bad frame alike, so the loop renders it once.
        self.conn.offer(dumps({"type": "error", "message": text}))

    def _wake_writer(self) -> None:
        transport = self.request.transport
        if transport is None or transport.is_closing():
            return  # the client is gone: nothing can reach it, no close to make (a storm
            #          drops thousands at once: a task each would delay everyone else)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        """Sends what is queued, waiting for a client that is behind, and ends when the
        queue is empty: the next wake starts it again. Closes when asked to."""
        try:
            while (batch := self.conn.next_batch()) is not None:
                if not batch:
                    return
                await self._send_batch(batch)
            if self.conn.close_code == CLOSE_TRY_AGAIN:
                return  # _force_close owns that close
            transport = self.request.transport
            if transport is None or transport.is_closing():
                return  # hung up on (shutdown): no close handshake to wait for
            await self._stop_reading()
            await self.ws.close(code=self.conn.close_code or 1000)
        except (ConnectionError, RuntimeError):
            pass

    async def _send_batch(self, batch: list[str]) -> None:
        """All queued frames in one transport write: per frame, send_str costs more
        than the rest of the fan-out. Waits while the client is behind."""
        transport = self.request.transport
        if self.ws.closed or transport is None or transport.is_closing():
            raise ConnectionResetError("socket closing")
        self.write(batch)
        while self.behind_for() and not transport.is_closing():
            await asyncio.sleep(DRAIN_POLL)

    def ready(self) -> bool:
        """The hub may write to this client now (it is open and not behind)."""
        transport = self.request.transport
        return (
            not self.ws.closed
            and transport is not None
            and not transport.is_closing()
            and not self.behind_for()
        )

    def behind_for(self) -> float:
        """How long the client has left more than WRITE_HIGH bytes unsent: the measure
        of a client that does not read (a full queue alone is not)."""
        transport = self.request.transport
        if transport is None or transport.get_write_buffer_size() <= WRITE_HIGH:
            self.behind_since = None
            return 0.0
        now = time.monotonic()
        if self.behind_since is None:
            self.behind_since = now
        return max(now - self.behind_since, 1e-9)

    def write(self, batch: list[str]) -> None:
        self.request.transport.write(b"".join(map(text_frame, batch)))

    def hang_up(self, code: int) -> None:
        transport = self.request.transport
        if transport is not None and not transport.is_closing():
            transport.write(close_frame(code))
            # A client that keeps up has the frame in the kernel already and gets it,
            # then FIN; waiting to flush 10,000 clients' buffers would outlast SIGTERM.
            transport.abort()
        self._cancel_reading()  # the handler ends now, not when the client answers

    def _overflowed(self, conn: Connection) -> None:
        """A client too slow to read its frames is closed, never waited for."""
        self.core.hub.overflows += 1
        self.closing = asyncio.get_running_loop().create_task(self._force_close())

    async def _force_close(self) -> None:
        """The 1013 close gets CLOSE_GRACE to reach a client that resumes reading, then
        the connection is cut and its buffers freed. The writer is left to stop by
        itself: it sees the closing transport."""
        await self._stop_reading()
        transport = self.request.transport
        try:
            await asyncio.wait_for(
                self.ws.close(code=CLOSE_TRY_AGAIN, message=b"too slow"), CLOSE_GRACE
            )
        except (TimeoutError, ConnectionError, RuntimeError):
            pass
        if transport is not None:
            transport.abort()


def check_seat_speaks(seat: Seat) -> None:
    if seat.muted:
        raise Forbidden("muted")
