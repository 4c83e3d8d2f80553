"""A minimal WebSocket client for the scale benches: one load generator core must open
10,000 sockets in seconds, and aiohttp's client costs more per handshake than the
server does. Text frames only, no extensions; a close frame is answered and ends it."""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from urllib.parse import urlsplit


class Closed(Exception):
    pass


class WebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.closed = False

    @classmethod
    async def connect(cls, url: str, timeout: float = 30.0, source: str | None = None) -> WebSocket:
        """source: the local address to connect from (127.0.0.2, ...): one address has
        only ~28,000 ephemeral ports towards one server port."""
        parts = urlsplit(url)
        local = (source, 0) if source else None
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, parts.port, limit=2**22, local_addr=local),
            timeout,
        )
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        if not head.startswith(b"HTTP/1.1 101"):
            writer.close()
            raise Closed(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        return cls(reader, writer)

    async def recv(self) -> str:
        """The next text frame; answers pings and close frames (then raises Closed)."""
        while True:
            first, second = await self.reader.readexactly(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            data = await self.reader.readexactly(size)
            opcode = first & 0x0F
            if opcode == 0x1:
                return data.decode()
            if opcode == 0x9:
                self._send(0xA, data)
            elif opcode == 0x8:
                if not self.closed:
                    self.closed = True
                    self._send(0x8, data[:2])
                self.writer.close()  # as browsers and aiohttp do once the close is answered
                raise Closed(struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005)

    def send(self, text: str) -> None:
        self._send(0x1, text.encode())

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
        elif size < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(head + mask + masked)

    def abort(self) -> None:
        """Drop the connection without a close handshake (a network blip)."""
        self.closed = True
        self.writer.transport.abort()

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._send(0x8, struct.pack("!H", 1000))
        self.writer.close()
