"""A real SMTP server for the tests: aiosmtpd on a free 127.0.0.1 port, in the test's
own event loop, plain, with STARTTLS (required) or implicit TLS on a self-signed
certificate, optionally requiring AUTH. It keeps every email it accepted, and can be
told to refuse (451) to play an SMTP server that is down, or to stall on DATA so a
test can kill the sender in the middle of a conversation."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import warnings
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult

from tests.pushservice import self_signed


class MailServer:
    def __init__(self, directory: Path, tls: str | None = None, login: tuple | None = None):
        self.tls = tls  # None, "starttls" or "tls"
        self.login = login  # (user, password) required, or None
        self.cert: Path | None = None
        self.context: ssl.SSLContext | None = None
        if tls:
            self.cert, key = self_signed(directory)
            self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.context.load_cert_chain(self.cert, key)
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refusing = False
        self.stalling = False  # DATA is never answered while the client stays connected
        self.data_started = asyncio.Event()
        self.arrived = asyncio.Event()
        self.server: asyncio.Server | None = None
        self.conversations: list[SMTP] = []
        self.port = 0

    def protocol(self) -> SMTP:
        with warnings.catch_warnings():
            # Implicit TLS: aiosmtpd cannot see the TLS under it and warns about AUTH.
            warnings.simplefilter("ignore", UserWarning)
            made = self.smtp()
        self.conversations.append(made)
        return made

    def smtp(self) -> SMTP:
        return SMTP(
            self,
            hostname="mail.test",
            tls_context=self.context if self.tls == "starttls" else None,
            require_starttls=self.tls == "starttls",
            auth_required=self.login is not None,
            auth_require_tls=self.tls == "starttls",  # implicit TLS: aiosmtpd cannot tell
            authenticator=self.authenticate,
        )

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        wanted = self.login or (None, None)
        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=given == wanted)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.stalling:
            self.data_started.set()
            while server.transport is not None and not server.transport.is_closing():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Client gone"
        if self.refusing:
            return "451 4.3.0 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.arrived.set()
        return "250 2.0.0 OK"

    async def start(self) -> MailServer:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            self.protocol,
            "127.0.0.1",
            self.port,
            ssl=self.context if self.tls == "tls" else None,
        )
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Closes the port and every conversation (one stuck in a refused TLS handshake
        would keep wait_closed waiting)."""
        self.server.close()
        for conversation in self.conversations:
            if conversation.transport is not None:
                conversation.transport.abort()
        self.conversations.clear()
        await asyncio.wait_for(self.server.wait_closed(), 5)

    async def next_email(self, seen: int = 0, timeout: float = 5.0) -> EmailMessage:
        """The email after the first `seen` received."""
        count = seen

        async def wait():
            while len(self.received) <= count:
                self.arrived.clear()
                await self.arrived.wait()
            return self.received[count]

        return await asyncio.wait_for(wait(), timeout)
