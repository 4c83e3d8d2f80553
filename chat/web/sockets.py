"""The socket loop every WebSocket dialect shares.

Order of a connection: check origin, accept, authenticate (else close 4001), open the
room (4003 / 4004), register with the hub, send the dialect's greeting, replay
messages after ?since=, then start the writer and read client frames. Registering
before reading the replay, and skipping live messages already replayed, gives a
resume with no gap and no duplicate.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import struct
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from ..core import messages, rooms
from ..errors import BadInput, ChatError
from ..events import Event
from ..hub import CLOSE_TRY_AGAIN, Connection
from ..i18n import translate, viewer_language
from ..keys import core_key, settings_key
from ..models import Message, Room, User
from .auth import authenticate, client_address, request_language
from .jsonio import dumps, parse_frame

log = logging.getLogger(__name__)
MAX_FRAME = 64 * 1024
IN_FLIGHT = 32        # sends of one socket awaiting commit at once
REPLAY_PAGE = 500
CLOSE_GRACE = 5.0     # seconds a closing writer may take for the handshake
WRITE_HIGH = 64 * 1024  # bytes buffered for a client before its writer waits (asyncio's mark)
DRAIN_POLL = 0.005      # how often a waiting writer looks again


@dataclass(frozen=True)
class SendCommand:
    content: object
    message_type: object = "text"
    reply_to: object = None
    client_id: object = None


@dataclass(frozen=True)
class TypingCommand:
    is_typing: bool = True


@dataclass(frozen=True)
class ReadCommand:
    message_id: object


@dataclass(frozen=True)
class NoCommand:
    """A frame the dialect accepts that needs no action (channels user_join)."""


class SocketDialect(Protocol):
    name: str

    def render(self, event: Event) -> str | None: ...
    def greeting(self, user: User, room: Room, online: list[User], language: str) -> list[str]: ...
    def parse(self, frame: dict) -> SendCommand | TypingCommand | ReadCommand | NoCommand: ...
    def render_message(self, message: Message) -> str: ...


def origin_allowed(request: web.Request) -> bool:
    """Refuse cross-site WebSocket hijacking: a browser's Origin must be ours or listed."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    if origin in request.app[settings_key].cors_origins:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()


async def serve_socket(request: web.Request, dialect: SocketDialect, room_ref: str) -> web.StreamResponse:
    if not origin_allowed(request):
        return web.Response(status=403, text="cross-origin WebSocket refused")
    settings = request.app[settings_key]
    viewer_language.set(request_language(request))
    ws = web.WebSocketResponse(heartbeat=settings.heartbeat_seconds, max_msg_size=MAX_FRAME)
    await ws.prepare(request)
    session = SocketSession(request, ws, dialect)
    try:
        await session.open(room_ref)
    except ChatError as exc:
        reason = translate(exc.key, request_language(request), **exc.params)
        await ws.close(code=exc.close_code, message=reason.encode()[:120])
        return ws
    await session.run()
    return ws


class SocketSession:
    def __init__(self, request: web.Request, ws: web.WebSocketResponse, dialect: SocketDialect):
        self.request = request
        self.ws = ws
        self.dialect = dialect
        self.core = request.app[core_key]
        self.language = request_language(request)
        self.conn: Connection | None = None
        self.room: Room | None = None
        self.user: User | None = None
        self.writer: asyncio.Task | None = None
        self.reader: asyncio.Task | None = None
        self.closing: asyncio.Task | None = None
        self.since_id: int | None = None
        self.in_flight = asyncio.Semaphore(IN_FLIGHT)
        self.tasks: set[asyncio.Task] = set()

    async def open(self, room_ref: str) -> None:
        """Who and where; raises ChatError before anything is registered."""
        self.user = await authenticate(self.request)
        since = self.request.query.get("since")
        self.since_id = None if since in (None, "") else _since(since)
        self.room = await rooms.open_for_socket(self.core, self.user, room_ref)

    async def run(self) -> None:
        hub = self.core.hub
        self.conn = Connection(self.user, self.room.id, self.dialect,
                               self.request.app[settings_key].socket_queue_limit,
                               self._overflowed, language=self.language)
        hub.attach(self.conn)
        try:
            hub.touch(self.user, client_address(self.request), self.request.headers.get("User-Agent"))
            online = hub.online_in(self.room.id)
            for text in self.dialect.greeting(self.user, self.room, online, self.language):
                await self.ws.send_str(text)
            if self.since_id is not None:
                await self._replay(self.since_id)
            self.writer = asyncio.create_task(self._write())
            self.conn.sink = self
            self.reader = asyncio.create_task(self._read())
            await asyncio.gather(self.reader, return_exceptions=True)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            await self._stop_reading()
            hub.detach(self.conn)
            self.conn.close(1000)
            for task in list(self.tasks):
                await asyncio.gather(task, return_exceptions=True)
            if self.writer:
                # A close the server started waits here for the client's reply: cutting
                # the writer short would drop the connection and lose the close code.
                await asyncio.gather(asyncio.wait_for(self.writer, CLOSE_GRACE),
                                     return_exceptions=True)
            if self.closing:
                await asyncio.gather(self.closing, return_exceptions=True)

    async def _read(self) -> None:
        """Client frames, until the client closes; cancelled when the server closes first."""
        try:
            async for msg in self.ws:
                if msg.type == WSMsgType.TEXT:
                    await self._handle(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._error(BadInput("frame_not_json"))
        except (ConnectionError, RuntimeError):
            pass

    async def _stop_reading(self) -> None:
        """aiohttp drops the connection at once if close() meets a pending receive, and
        the client would see 1006 instead of our close code: stop reading first."""
        if self.reader and not self.reader.done():
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)

    async def _replay(self, after_id: int) -> None:
        while True:
            page = await messages.replay_after(self.core, self.room.id, after_id, REPLAY_PAGE)
            for message in page:
                await self.ws.send_str(self.dialect.render_message(message))
                after_id = self.conn.replayed_upto = message.id
            if len(page) < REPLAY_PAGE:
                return

    async def _handle(self, text: str) -> None:
        try:
            command = self.dialect.parse(parse_frame(text))
        except ChatError as exc:
            self._error(exc)
            return
        if isinstance(command, SendCommand):
            await self.in_flight.acquire()
            task = asyncio.create_task(self._send(command))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        elif isinstance(command, TypingCommand):
            self.core.hub.set_typing(self.room.id, self.user, command.is_typing)
        elif isinstance(command, ReadCommand):
            await self._guard(messages.mark_read(self.core, self.user, command.message_id))

    async def _send(self, command: SendCommand) -> None:
        """Stored, then broadcast by core; a client_id retry is answered to the sender."""
        try:
            result = await self._guard(messages.send(
                self.core, self.user, self.room.id, command.content, command.message_type,
                command.reply_to, command.client_id))
            if result is not None and not result.created:
                self.conn.offer(self.dialect.render_message(result.message))
        finally:
            self.in_flight.release()

    async def _guard(self, call):
        try:
            return await call
        except ChatError as exc:
            self._error(exc)
        except Exception:
            log.exception("socket command failed")
            self._error(ChatError("internal_error"))
        return None

    def _error(self, exc: ChatError) -> None:
        text = translate(exc.key, self.language, **exc.params)
        # Both socket dialects answer a bad frame alike, so the loop renders it once.
        self.conn.offer(dumps({"type": "error", "message": text}))

    async def _write(self) -> None:
        try:
            while (batch := await self.conn.next_batch()) is not None:
                await self._send_batch(batch)
            if self.conn.close_code == CLOSE_TRY_AGAIN:
                return  # _force_close owns that close
            await self._stop_reading()
            await self.ws.close(code=self.conn.close_code or 1000)
        except (ConnectionError, RuntimeError):
            pass

    async def _send_batch(self, batch: list[str]) -> None:
        """All queued frames in one transport write: per frame, send_str costs more
        than the rest of the fan-out. Waits while the client is behind; the hub's
        bounded queue then fills and a client that stays behind is closed (1013)."""
        transport = self.request.transport
        if self.ws.closed or transport is None or transport.is_closing():
            raise ConnectionResetError("socket closing")
        self.write(batch)
        while transport.get_write_buffer_size() > WRITE_HIGH and not transport.is_closing():
            await asyncio.sleep(DRAIN_POLL)

    def ready(self) -> bool:
        """The hub may write to this client now (it is open and not behind)."""
        transport = self.request.transport
        return (not self.ws.closed and transport is not None and not transport.is_closing()
                and transport.get_write_buffer_size() <= WRITE_HIGH)

    def write(self, batch: list[str]) -> None:
        self.request.transport.write(b"".join(map(text_frame, batch)))

    def _overflowed(self, conn: Connection) -> None:
        """A client too slow to read its frames is closed, never waited for."""
        self.closing = asyncio.get_running_loop().create_task(self._force_close())

    async def _force_close(self) -> None:
        """The 1013 close gets CLOSE_GRACE to reach a client that resumes reading, then
        the connection is cut and its buffers freed. The writer is left to stop by
        itself: it sees the closing transport."""
        await self._stop_reading()
        transport = self.request.transport
        try:
            await asyncio.wait_for(self.ws.close(code=CLOSE_TRY_AGAIN, message=b"too slow"),
                                   CLOSE_GRACE)
        except (asyncio.TimeoutError, ConnectionError, RuntimeError):
            pass
        if transport is not None:
            transport.abort()


@functools.lru_cache(maxsize=1024)
def text_frame(text: str) -> bytes:
    """An RFC 6455 text frame, final, unmasked and uncompressed (RFC 7692 allows that
    even when permessage-deflate was negotiated). Cached: a room's sockets all send
    the very same rendered text, so it is encoded once."""
    data = text.encode()
    size = len(data)
    if size < 126:
        return struct.pack("!BB", 0x81, size) + data
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + data
    return struct.pack("!BBQ", 0x81, 127, size) + data


def _since(raw: str) -> int:
    if not raw.isdigit():
        raise BadInput("field_type", field="since", kind="a message id")
    return int(raw)
