"""Run the app as a long-lived service: listen, tell the service manager it is ready,
and on SIGTERM/SIGINT say it is stopping, close sockets with 1001 and exit cleanly."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import socket

from aiohttp import web

from chat.ops.notify import notify
from chat.settings import Settings
from chat.web.accesslog import RedactingAccessLogger
from chat.web.tcp_guard import GuardedRunner, install_accept_throttle, raise_open_file_limit

log = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 3  # open requests get this long; sockets are closed with 1001 first


GC_THRESHOLDS = (700, 10, 100)  # Python's defaults but full collections 10x rarer
# Connections the kernel completes while the loop has not accepted them yet (capped by
# net.core.somaxconn). aiohttp's 128 overflowed in a reconnect storm: the kernel then
# drops the SYNs and clients retry after 1, 3, 7 s, which made the storm's tail.
LISTEN_BACKLOG = 4096


def settle_garbage_collector() -> None:
    """Keep the cycle collector from pausing everyone at scale. Its full collections
    walk every tracked object: with thousands of sockets open that took 30–110 ms each,
    several times a second during a reconnect storm (measured), and every REST call and
    frame waited. What exists once the server is up (modules, settings, the app) is
    frozen out of those walks, and young collections run less often, so full ones do
    too. Garbage in reference cycles is still collected, just in larger, rarer rounds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def listening_site(runner: web.AppRunner, settings: Settings) -> web.BaseSite:
    """With a backplane, several processes may listen on the port (--workers, or a
    supervisor's instances): the kernel spreads connections over them. CHAT_HOST=::
    listens on IPv4 as well (asyncio alone would make it IPv6 only); IPv4 clients then
    show as ::ffff:a.b.c.d, which web.auth reads as a.b.c.d."""
    reuse_port = bool(settings.redis_url)
    if settings.host == "::" and socket.has_dualstack_ipv6():
        sock = socket.create_server(
            ("::", settings.port),
            family=socket.AF_INET6,
            dualstack_ipv6=True,
            reuse_port=reuse_port,
            backlog=LISTEN_BACKLOG,
        )
        return web.SockSite(runner, sock)
    return web.TCPSite(
        runner, settings.host, settings.port, reuse_port=reuse_port, backlog=LISTEN_BACKLOG
    )


async def serve_until_signal(app: web.Application, settings: Settings, started) -> None:
    """Serve until a stop signal. started() runs once the port is listening."""
    open_files = raise_open_file_limit()
    install_accept_throttle()
    runner = GuardedRunner(
        app, settings, access_log_class=RedactingAccessLogger, shutdown_timeout=SHUTDOWN_SECONDS
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runner.setup()
    try:
        await listening_site(runner, settings).start()
        started()
        settle_garbage_collector()
        log.info("open file limit: %d descriptors", open_files)
        # READY=1 only now: systemd orders dependants (and `systemctl start` returns)
        # on it, so it must mean "the port accepts connections".
        notify("READY=1", f"STATUS=serving on {settings.host}:{settings.port}")
        await stop.wait()
        notify("STOPPING=1")
    finally:
        await runner.cleanup()
