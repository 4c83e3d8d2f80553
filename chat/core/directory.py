"""LDAP / Active Directory: checks a password by binding as the user, reads who the
user is and which configured groups they are in.

ldap3 is synchronous, so every call runs on this module's own small thread pool with
a time budget: the event loop never waits on the directory, and a hung directory can
hold at most POOL_SIZE threads. Nothing here decides who becomes which Teahouse user;
that is core/identities.py.
"""
from __future__ import annotations

import asyncio
import logging
import math
import ssl
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from ..db import identities as identities_db
from ..errors import Unavailable
from ..signin_settings import LdapSettings
from . import identities
from .identities import Profile

log = logging.getLogger(__name__)
PROVIDER = "ldap"
POOL_SIZE = 4
MAX_USERNAME = 256


@dataclass(frozen=True)
class Entry:
    """A directory user as the directory describes them."""
    dn: str
    subject: str
    username: str
    display_name: str
    email: str | None
    allowed: bool
    is_admin: bool | None          # None: no admin group configured


class Directory:
    def __init__(self, config: LdapSettings):
        self.config = config
        self.executor = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="ldap")

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def check_password(self, username: str, password: str) -> Profile | None:
        """The profile of a directory user whose password is right and who may sign in;
        None for a wrong password, an unknown or disabled user, or one outside the group."""
        # Security: an empty password is an "unauthenticated bind" that many servers
        # accept as success; never send one.
        if not password or not username or len(username) > MAX_USERNAME or "\x00" in username:
            return None
        entry = await self._run(self._check_password, username, password)
        return self.profile(entry) if entry and entry.allowed else None

    async def lookup(self, usernames: list[str]) -> dict[str, Entry | None]:
        """What the directory says now about each username (None: not found)."""
        return await self._run(self._lookup, usernames)

    def profile(self, entry: Entry) -> Profile:
        return Profile(PROVIDER, entry.subject, entry.username, entry.display_name,
                       entry.email, entry.is_admin)

    async def _run(self, function, *args):
        loop = asyncio.get_running_loop()
        budget = self.config.timeout * (2 + len(self.config.urls))
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self.executor, function, *args), budget)
        except (asyncio.TimeoutError, LDAPException, OSError) as exc:
            log.warning("directory unavailable: %s", type(exc).__name__)
            raise Unavailable("directory_unavailable") from None

    # -- in the thread pool ------------------------------------------------
    def _servers(self) -> list[ldap3.Server]:
        config = self.config
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED if config.tls_verify else ssl.CERT_NONE,
                        ca_certs_file=config.ca_file or None)
        return [ldap3.Server(url, tls=tls, get_info=ldap3.NONE, connect_timeout=config.timeout)
                for url in config.urls]

    @contextmanager
    def _session(self, user: str | None = None, password: str | None = None
                 ) -> Iterator[ldap3.Connection]:
        """An open connection to the first server that answers, TLS started if asked.
        Its socket is closed on the way out: ldap3 drops it unclosed after a timeout."""
        failure: Exception | None = None
        for server in self._servers():
            conn = ldap3.Connection(server, user=user, password=password, read_only=True,
                                    receive_timeout=math.ceil(self.config.timeout),  # whole seconds
                                    auto_bind=ldap3.AUTO_BIND_NONE, raise_exceptions=False,
                                    # Security: following a referral would send the
                                    # user's password to whatever host it names.
                                    auto_referrals=False)
            try:
                conn.open()
            except LDAPException as exc:
                if conn.socket:           # ldap3 leaves a refused socket open
                    conn.socket.close()
                failure = exc
                continue
            sock = conn.socket
            try:
                if self.config.start_tls and not server.ssl:
                    conn.start_tls()
                yield conn
                return
            finally:
                conn.unbind()
                sock.close()
        raise failure or LDAPException("no directory server configured")

    def _service(self):
        """A session bound as the service account (or anonymous)."""
        config = self.config
        return self._session(config.bind_dn or None, config.bind_password or None)

    def _check_password(self, username: str, password: str) -> Entry | None:
        with self._service() as service:
            self._bind_service(service)
            entry = self._find(service, username)
        if entry is None:
            return None
        with self._session(entry.dn, password) as as_user:
            return entry if as_user.bind() else None

    def _lookup(self, usernames: list[str]) -> dict[str, Entry | None]:
        with self._service() as service:
            self._bind_service(service)
            return {name: self._find(service, name) for name in usernames}

    @staticmethod
    def _bind_service(conn: ldap3.Connection) -> None:
        if not conn.bind():
            log.warning("directory refused the service bind: %s", conn.result.get("description"))
            raise LDAPException("service bind refused")

    def _find(self, conn: ldap3.Connection, username: str) -> Entry | None:
        config = self.config
        attributes = [config.id_attribute, config.username_attribute, config.name_attribute,
                      config.email_attribute]
        # Security: the typed name goes into the filter escaped, never as filter syntax.
        query = config.user_filter.replace("{username}", escape_filter_chars(username))
        if not conn.search(config.user_base, query, ldap3.SUBTREE, attributes=attributes,
                           size_limit=2, time_limit=max(1, int(config.timeout))):
            self._raise_unless_empty(conn)
            return None
        found = [item for item in conn.response if item.get("type") == "searchResEntry"]
        if len(found) != 1:           # ambiguous filters sign nobody in
            return None
        item = found[0]
        subject = self._subject(item["raw_attributes"].get(config.id_attribute) or [])
        name = self._text(item["raw_attributes"].get(config.username_attribute)) or username
        if not subject:
            log.warning("directory entry has no %s: cannot link it", config.id_attribute)
            return None
        return Entry(
            dn=item["dn"], subject=subject, username=name,
            display_name=self._text(item["raw_attributes"].get(config.name_attribute)) or name,
            email=self._text(item["raw_attributes"].get(config.email_attribute)) or None,
            allowed=self._in_group(conn, config.allowed_group, item["dn"], name, default=True),
            is_admin=(self._in_group(conn, config.admin_group, item["dn"], name, default=False)
                      if config.admin_group else None))

    def _in_group(self, conn: ldap3.Connection, group: str, dn: str, username: str,
                  default: bool) -> bool:
        if not group:
            return default
        query = (self.config.group_filter.replace("{user_dn}", escape_filter_chars(dn))
                 .replace("{username}", escape_filter_chars(username)))
        if not conn.search(group, query, ldap3.BASE, attributes=["1.1"], size_limit=1,
                           time_limit=max(1, int(self.config.timeout))):
            self._raise_unless_empty(conn)
            return False
        return any(item.get("type") == "searchResEntry" for item in conn.response)

    @staticmethod
    def _raise_unless_empty(conn: ldap3.Connection) -> None:
        """A failed search that is not "nothing found" means the directory is in trouble."""
        if conn.result.get("description") not in ("success", "noSuchObject", "sizeLimitExceeded"):
            raise LDAPException(f"search failed: {conn.result.get('description')}")

    def _subject(self, values: list[bytes]) -> str:
        if not values:
            return ""
        raw = values[0]
        # Active Directory's objectGUID is 16 binary bytes, shown in its little-endian form.
        if self.config.id_attribute.lower() == "objectguid" and len(raw) == 16:
            return str(uuid.UUID(bytes_le=raw))
        return self._text(values).lower()

    @staticmethod
    def _text(values) -> str:
        if not values:
            return ""
        raw = values[0]
        return (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)).strip()


async def recheck(core) -> int:
    """Ask the directory about every linked user once; those it no longer knows, or
    who left the allowed group, are disabled (sockets closed). A directory that is
    down changes nothing: an outage must not lock the whole team out."""
    directory: Directory = core.directory
    linked = await identities_db.of_provider(core.db.reader, PROVIDER)
    if not linked:
        return 0
    entries = await directory.lookup(sorted({item.external_name for item in linked}))
    current = {name: directory.profile(entry) if entry and entry.allowed else None
               for name, entry in entries.items()}
    return await identities.recheck(core, PROVIDER, current)


async def watch(core) -> None:
    """Re-check every recheck_seconds until cancelled."""
    while True:
        await asyncio.sleep(core.directory.config.recheck_seconds)
        try:
            disabled = await recheck(core)
        except Unavailable:
            continue
        if disabled:
            log.info("directory re-check disabled %d user(s)", disabled)
