"""The state Core keeps between calls, in typed parts, one per domain that needs it.

Each part is created with Core and changed only by the core module that owns it (named
on each field). Where the implementation lives above the kernel (the LDAP client in
people/directory.py, the Redis backplane in chat/scale/), the kernel names it by a
Protocol: the kernel imports none of them, and a test's stand-in would do as well.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chat.events import Event


class DirectoryClient(Protocol):
    """The company directory (chat/core/people/directory.py's Directory, over LDAP)."""

    config: Any  # chat.signin_settings.LdapSettings

    async def check_password(self, username: str, password: str) -> Any: ...

    async def entries_by_id(self, subjects: list[str], likely_admins: frozenset[str]) -> Any: ...

    def profile(self, entry: Any) -> Any: ...

    def close(self) -> None: ...


class Backplane(Protocol):
    """Several processes sharing one database (chat/scale/backplane.py, over Redis): it
    numbers and logs a job's events in the job's transaction, then delivers them."""

    async def record(self, conn, events: list[Event]) -> list: ...

    def committed(self, sequenced: list) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class PeopleState:
    # Set while the server runs with CHAT_LDAP_URL (people/directory_recheck.py serving).
    directory: DirectoryClient | None = None
    # User id -> when a cookie or external token last moved their "last sign-in"
    # (people/sessions.py note_use): at most one write an hour per user.
    sign_ins_noted: dict[int, float] = field(default_factory=dict)


@dataclass
class IntegrationState:
    # Lower-cased username -> id of bots with an outgoing URL (integrations/bots.py): a
    # message that cannot address one (the common case) costs no query.
    outgoing_bots: dict[str, int] = field(default_factory=dict)
    # Hook id -> its recent post times (integrations/hooks.py check_rate).
    hook_windows: dict[int, deque] = field(default_factory=dict)


@dataclass
class AuditState:
    # Called with the audit entries of each committed job (the log stream listens).
    listeners: list[Callable[[list], None]] = field(default_factory=list)
    # Writes started and not awaited (failed sign-ins' entries, site/audit.py): kept
    # referenced, and awaited at shutdown before the database closes.
    pending: set[asyncio.Task] = field(default_factory=set)
