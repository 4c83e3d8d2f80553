"""A socket lives as long as its credential: this closes it (4001) when the token it
was opened with expires, unless the client renewed it on the socket with
{"type": "auth", "token": "…"} (a frame every socket dialect accepts).

Ending a login, a password change or revoking an API token close sockets through
a SocketsEnded event (core/sessions.py, core/accounts.py, core/api_tokens.py), so in
every process: each connection carries its credential so the event picks exactly the
sockets it opened.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import UTC, datetime

from chat.clock import iso_utc
from chat.core import Core
from chat.core.people import accounts, sessions
from chat.errors import BadInput, Forbidden
from chat.live.client import CLOSE_UNAUTHORIZED, Connection
from chat.models import Credential
from chat.web.jsonio import dumps


class CredentialWatch:
    __slots__ = ("core", "conn", "timer", "checking", "credential")

    def __init__(self, core: Core, conn: Connection, credential: Credential):
        self.core = core
        self.conn = conn
        self.timer: asyncio.TimerHandle | None = None
        self.checking: asyncio.Task | None = None
        self._use(credential)

    def _use(self, credential: Credential) -> None:
        self.credential = self.conn.credential = credential
        if self.timer:
            self.timer.cancel()
            self.timer = None
        if credential.expires_at is not None:
            delay = max(0.0, credential.expires_at - time.time())
            self.timer = asyncio.get_running_loop().call_later(delay, self._expired)

    def _expired(self) -> None:
        self.timer = None
        if self.credential.kind == "cookie":
            # The page's login slides forward when it refreshes: look again.
            self.checking = asyncio.get_running_loop().create_task(self._recheck())
        else:
            self.conn.close(CLOSE_UNAUTHORIZED)

    async def _recheck(self) -> None:
        expires_at = await sessions.expiry(self.core, self.credential)
        if expires_at is None or expires_at <= time.time():
            self.conn.close(CLOSE_UNAUTHORIZED)
        else:
            self._use(dataclasses.replace(self.credential, expires_at=expires_at))

    async def renew(self, token) -> None:
        """Swap in a fresh token of the same user; a bad one leaves the socket as it was
        (an error frame; it still ends when the old credential does)."""
        if not isinstance(token, str) or not token:
            raise BadInput("field_required", field="token")
        credential = await accounts.identify(self.core, token)
        if credential.user.id != self.credential.user.id:
            raise Forbidden("auth_other_user")
        self._use(credential)
        expires = credential.expires_at
        self.conn.offer(
            dumps(
                {
                    "type": "auth_ok",
                    "expires_at": None
                    if expires is None
                    else iso_utc(datetime.fromtimestamp(expires, UTC)),
                }
            )
        )

    def stop(self) -> None:
        if self.timer:
            self.timer.cancel()
        if self.checking:
            self.checking.cancel()
