"""A loopback TCP relay a test puts between one process and a server (Redis), to cut
that process off, in one of two ways a partition looks from the side that has it:

- cut(): every relayed connection is reset and new ones are refused (what the
  process sees when the far side, or a firewall, answers);
- cut(silent=True): nothing is answered and nothing is lost: the relay stops moving
  bytes (the kernel keeps them, as TCP keeps retransmitting) and holds new
  connections open without a word, so only a timeout can notice.

heal() lets the bytes flow again (or listens again, on the same port). Loopback only,
to a loopback port."""

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
        self.flowing = asyncio.Event()

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    async def heal(self) -> TcpRelay:
        """Listen (again) and move bytes: also how the relay starts."""
        if self.server is None or not self.server.is_serving():
            self.server = await asyncio.start_server(self._link, HOST, self.port)
        self.flowing.set()
        return self

    async def cut(self, silent: bool = False) -> None:
        self.flowing.clear()
        if silent:
            return
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
            await self.flowing.wait()
            up_reader, upstream = await asyncio.open_connection(HOST, self.target_port)
            await asyncio.gather(self._pipe(reader, upstream), self._pipe(up_reader, writer))
        except (asyncio.CancelledError, OSError):
            pass
        finally:
            for side in (writer, upstream):
                if side is not None:
                    side.transport.abort()  # a reset, not a goodbye
            self.links.discard(task)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while True:
            await self.flowing.wait()
            data = await source.read(65536)
            if not data:
                break
            await self.flowing.wait()  # read before a silent cut: held, not lost
            sink.write(data)
            with contextlib.suppress(ConnectionError):
                await sink.drain()
        sink.transport.abort()
