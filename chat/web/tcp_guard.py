"""TCP connections before any handler runs: what one address may hold, what a malformed
request is told, and how many descriptors the process may use.

aiohttp's request handler is kept, with three changes (ConnectionGuard): an address
past CHAT_MAX_CONNECTIONS_PER_ADDRESS open connections gets a 429 and is closed at
once (proxies listed in CHAT_TRUSTED_PROXIES are exempt: their clients' addresses are
only known per request); a malformed request (a request line over 8 KB is a 414, a
header over 8 KB a 431, the rest 400) is answered without echoing what was sent and
without naming the server's versions, and logged as one line instead of a traceback.
The request head must arrive within CHAT_HANDSHAKE_TIMEOUT seconds of connecting (or
of the previous response): aiohttp's keep-alive timer closes a connection whose head
is incomplete, so a slowloris client holds nothing for long.
"""

from __future__ import annotations

import logging
import resource
from collections import Counter

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError, LineTooLong
from aiohttp.web_protocol import RequestHandler

from chat.settings import Settings
from chat.web.headers import SERVER
from chat.web.log_budget import LogBudget
from chat.web.peers import in_networks

log = logging.getLogger(__name__)
TOO_MANY = (
    b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nContent-Length: 0\r\n"
    b"Connection: close\r\nServer: " + SERVER.encode() + b"\r\n\r\n"
)
ACCEPT_LOG_INTERVAL = 10.0  # seconds between two "out of descriptors" log lines


class AddressCounts:
    """Open connections per peer address, against one cap."""

    def __init__(self, settings: Settings):
        self.cap = settings.max_connections_per_address
        self.exempt = tuple(settings.trusted_proxies)
        self.open: Counter[str] = Counter()

    def admit(self, address: str | None) -> bool:
        """Count a new connection from address; False when it is one too many."""
        if not self.cap or address is None or self.is_exempt(address):
            return True
        self.open[address] += 1
        return self.open[address] <= self.cap

    def release(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]

    def is_exempt(self, address: str) -> bool:
        return in_networks(address, self.exempt)


def refusal(exc: BaseException) -> tuple[int, str]:
    """Status and fixed text for a request aiohttp could not parse: nothing of the
    request is echoed back."""
    if isinstance(exc, LineTooLong):
        frames = []
        tb = exc.__traceback__
        while tb is not None:
            frames.append(tb.tb_frame.f_code.co_name)
            tb = tb.tb_next
        if any("url" in name or "first_line" in name or "status" in name for name in frames):
            return 414, "Request line too long"
        return 431, "Request header too long"
    return 400, "Bad request"


def malformed_log(settings: Settings) -> LogBudget:
    """The budget of "refused a malformed request" lines (CHAT_MALFORMED_LOG_*)."""

    def summary(dropped: int) -> None:
        log.info(
            "refused %d more malformed requests in the last %g s (not logged one by one)",
            dropped,
            settings.malformed_log_window,
        )

    return LogBudget(settings.malformed_log_lines, settings.malformed_log_window, summary)


class ConnectionGuard(RequestHandler):
    __slots__ = ("counts", "address", "refusals")  # aiohttp's is slotted: 10,000 stay small

    def connection_made(self, transport) -> None:
        peer = transport.get_extra_info("peername")
        address = peer[0] if isinstance(peer, (tuple, list)) and peer else None
        if not self.counts.admit(address):
            self.counts.release(address)
            transport.write(TOO_MANY)
            transport.close()
            return
        self.address = address
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.address is not None and not self.counts.is_exempt(self.address):
            if self.counts.cap:
                self.counts.release(self.address)
            self.address = None
        if self.transport is not None:
            super().connection_lost(exc)

    def handle_error(
        self,
        request,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if not isinstance(exc, HttpProcessingError) or request.writer.output_size > 0:
            response = super().handle_error(request, status, exc, message)
            response.headers["Server"] = SERVER
            return response
        status, text = refusal(exc)
        if self.refusals.take() is not None:
            log.info("refused a malformed request from %s: %s %s", request.remote, status, text)
        response = web.Response(status=status, text=text, headers={"Server": SERVER})
        response.force_close()
        return response


class GuardedServer(web.Server):
    counts: AddressCounts
    refusals: LogBudget

    def __call__(self) -> RequestHandler:
        handler = ConnectionGuard(self, loop=self._loop, **self._kwargs)
        handler.counts = self.counts
        handler.refusals = self.refusals
        handler.address = None
        return handler


class GuardedRunner(web.AppRunner):
    """An AppRunner whose connections are handled by ConnectionGuard."""

    def __init__(self, app: web.Application, settings: Settings, **kwargs):
        super().__init__(app, keepalive_timeout=settings.handshake_timeout, **kwargs)
        self.counts = AddressCounts(settings)
        self.refusals = malformed_log(settings)

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # aiohttp offers no hook for the handler class; the server it built is kept
        # whole and only told to make ConnectionGuard handlers.
        server.__class__ = GuardedServer
        server.counts = self.counts
        server.refusals = self.refusals
        return server


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit (every socket is one);
    the limit now in force (logged once the server listens)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


class AcceptErrorThrottle(logging.Filter):
    """When descriptors run out, accept() fails for every waiting client and asyncio
    logs each failure with a traceback: keep one line per interval, with a count."""

    def __init__(self, interval: float = ACCEPT_LOG_INTERVAL):
        super().__init__()
        self.budget = LogBudget(1, interval)

    def filter(self, record: logging.LogRecord) -> bool:
        if "out of system resource" not in record.getMessage() and not _is_fd_exhaustion(record):
            return True
        dropped = self.budget.take()
        if dropped is None:
            return False
        record.msg = "accept() failed: out of file descriptors (%d similar failures not logged)"
        record.args = (dropped,)
        record.exc_info = None
        record.exc_text = None
        return True


def _is_fd_exhaustion(record: logging.LogRecord) -> bool:
    """accept()'s EMFILE/ENFILE, and the echo of one at shutdown: asyncio retries a
    failed accept() a second later by a timer, which, if the server closed its socket
    meanwhile, fails on descriptor -1 (ValueError) with a traceback of its own."""
    exc = record.exc_info[1] if record.exc_info else None
    if isinstance(exc, ValueError):
        return "_start_serving" in str(record.msg) and "descriptor: -1" in str(exc)
    return isinstance(exc, OSError) and exc.errno in (24, 23)  # EMFILE, ENFILE


def install_accept_throttle() -> None:
    throttle = AcceptErrorThrottle()
    for name in ("asyncio", "aiohttp.server"):
        logging.getLogger(name).addFilter(throttle)
