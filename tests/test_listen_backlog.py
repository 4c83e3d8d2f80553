"""The listening socket holds a reconnect storm's connections until the loop accepts
them: with aiohttp's backlog of 128 the kernel dropped the rest's SYNs while the loop
was busy, and those clients came back only after 1, 3, 7 s (the storm's tail)."""

from __future__ import annotations

import select
import socket
import time

from aiohttp import web

from chat.settings import Settings
from chat.web.service import LISTEN_BACKLOG, listening_site

STORM = 400  # far over aiohttp's 128, under LISTEN_BACKLOG and the usual somaxconn (4096)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_storm_of_connections_completes_while_the_loop_accepts_none(tmp_path):
    assert STORM < LISTEN_BACKLOG
    settings = Settings(data_dir=tmp_path / "data", host="127.0.0.1", port=free_port())
    runner = web.AppRunner(web.Application())
    await runner.setup()
    clients = []
    try:
        await listening_site(runner, settings).start()
        for _ in range(STORM):
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", settings.port))
            clients.append(client)
        # The loop is held here (as by a storm's work): only the kernel answers.
        deadline, pending = time.monotonic() + 0.5, set(clients)
        while pending and time.monotonic() < deadline:
            _, writable, _ = select.select([], list(pending), [], 0.05)
            pending -= set(writable)
        connected = [
            c
            for c in clients
            if c not in pending and not c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        ]
        assert len(connected) == STORM
    finally:
        for client in clients:
            client.close()
        await runner.cleanup()
