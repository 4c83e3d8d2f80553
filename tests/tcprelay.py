"""A loopback TCP relay a test puts between one process and a server (Redis), to cut
that process off: cut() resets every relayed connection and stops listening, so new
connections are refused, as a partition between two hosts looks to the one that
notices it; heal() listens again on the same port. Loopback only, to a loopback port."""

from __future__ import annotations

import asyncio
import contextlib

from tests.serverproc import free_port

HOST = "127.0.0.1"


class TcpRelay:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    async def heal(self) -> TcpRelay:
        """Listen (again): also how the relay starts."""
        self.server = await asyncio.start_server(self._link, HOST, self.port)
        return self

    async def cut(self) -> None:
        self.server.close()
        for task in list(self.links):
            task.cancel()
        await asyncio.gather(*self.links, return_exceptions=True)
        await self.server.wait_closed()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self.links.add(task)
        upstream = None
        try:
            up_reader, upstream = await asyncio.open_connection(HOST, self.target_port)
            await asyncio.gather(pipe(reader, upstream), pipe(up_reader, writer))
        except (asyncio.CancelledError, OSError):
            pass
        finally:
            for side in (writer, upstream):
                if side is not None:
                    side.transport.abort()  # a reset, not a goodbye
            self.links.discard(task)


async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(65536):
        sink.write(data)
        with contextlib.suppress(ConnectionError):
            await sink.drain()
    sink.transport.abort()
