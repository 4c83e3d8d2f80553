"""LDAP / Active Directory: checks a password by binding as the user, reads who the
user is and which configured groups they are in.

ldap3 is synchronous, so every call runs on this module's own small thread pool with
a time budget: the event loop never waits on the directory, and a hung directory can
hold at most POOL_SIZE threads. Nothing here decides who becomes which Teahouse user;
that is core/identities.py (and core/directory_recheck.py for the periodic re-check).
"""

from __future__ import annotations

import asyncio
import logging
import math
import ssl
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_bytes, escape_filter_chars

from chat.core.people.identities import Profile
from chat.errors import Unavailable
from chat.signin_settings import LdapSettings

log = logging.getLogger(__name__)
PROVIDER = "ldap"
POOL_SIZE = 4
MAX_USERNAME = 256
PAGED_RESULTS = "1.2.840.113556.1.4.319"  # the simple paged results control (RFC 2696)


def id_filter(attribute: str, subject: str) -> str:
    """The filter term that finds the entry with this stable id. Active Directory's
    objectGUID is 16 binary bytes, stored here in its text form (little-endian fields):
    the filter must carry the bytes, each escaped as \\xx (RFC 4515); the text form
    would never match."""
    if attribute.lower() == "objectguid":
        try:
            return f"({attribute}={escape_bytes(uuid.UUID(subject).bytes_le)})"
        except ValueError:
            pass  # not 16 bytes when it was linked: stored as text
    return f"({attribute}={escape_filter_chars(subject)})"


@dataclass(frozen=True)
class Entry:
    """A directory user as the directory describes them."""

    dn: str
    subject: str
    username: str
    display_name: str
    email: str | None
    allowed: bool = True
    is_admin: bool | None = None  # None: no admin group configured (or not allowed)


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

    async def entries_by_id(
        self, subjects: list[str], likely_admins: frozenset[str]
    ) -> dict[str, Entry]:
        """The entries the directory still has under the base and filter, by stable id;
        an id it no longer has (deleted, moved out, filtered out) is missing. One search
        per recheck_batch ids, and about one per group; likely_admins (ids of today's
        admins) lets a batch whose admins did not change cost one admin-group search."""
        size = self.config.recheck_batch
        found: dict[str, Entry] = {}
        for start in range(0, len(subjects), size):
            batch = subjects[start : start + size]
            # Budget: the batch search's pages, and the worst group bisection.
            found.update(
                await self._run(self._by_ids, batch, likely_admins, searches=2 + 4 * len(batch))
            )
        return found

    def profile(self, entry: Entry) -> Profile:
        return Profile(
            PROVIDER, entry.subject, entry.username, entry.display_name, entry.email, entry.is_admin
        )

    async def _run(self, function, *args, searches: int = 2):
        loop = asyncio.get_running_loop()
        budget = self.config.timeout * (len(self.config.urls) + searches)
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self.executor, function, *args), budget
            )
        except (TimeoutError, LDAPException, OSError) as exc:
            log.warning("directory unavailable: %s %s", type(exc).__name__, str(exc)[:200])
            raise Unavailable("directory_unavailable") from None

    # -- in the thread pool ------------------------------------------------
    def _servers(self) -> list[ldap3.Server]:
        config = self.config
        tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED if config.tls_verify else ssl.CERT_NONE,
            ca_certs_file=config.ca_file or None,
        )
        return [
            ldap3.Server(url, tls=tls, get_info=ldap3.NONE, connect_timeout=config.timeout)
            for url in config.urls
        ]

    @contextmanager
    def _session(
        self, user: str | None = None, password: str | None = None
    ) -> Iterator[ldap3.Connection]:
        """An open connection to the first server that answers, TLS started if asked.
        Its socket is closed on the way out: ldap3 drops it unclosed after a timeout."""
        failure: Exception | None = None
        for server in self._servers():
            conn = ldap3.Connection(
                server,
                user=user,
                password=password,
                read_only=True,
                receive_timeout=math.ceil(self.config.timeout),  # whole seconds
                auto_bind=ldap3.AUTO_BIND_NONE,
                raise_exceptions=False,
                # Security: following a referral would send the
                # user's password to whatever host it names.
                auto_referrals=False,
            )
            try:
                conn.open()
            except LDAPException as exc:
                if conn.socket:  # ldap3 leaves a refused socket open
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

    @staticmethod
    def _bind_service(conn: ldap3.Connection) -> None:
        if not conn.bind():
            log.warning("directory refused the service bind: %s", conn.result.get("description"))
            raise LDAPException("service bind refused")

    def _by_ids(self, subjects: list[str], likely_admins) -> dict[str, Entry]:
        config = self.config
        wanted = set(subjects)
        # The user filter with any name: only the stable ids select.
        people = config.user_filter.replace("{username}", "*")
        ids = "".join(id_filter(config.id_attribute, subject) for subject in subjects)
        with self._service() as service:
            self._bind_service(service)
            found = [
                entry
                for item in self._search_pages(service, f"(&{people}(|{ids}))")
                if (entry := self._entry(item)) and entry.subject in wanted
            ]
            # An id two entries share cannot say which one is the person: like an
            # ambiguous name at sign-in, it keeps nobody.
            counts = Counter(entry.subject for entry in found)
            unique = [entry for entry in found if counts[entry.subject] == 1]
            if len(unique) < len(found):
                log.warning(
                    "directory entries share a %s: not counted as found", config.id_attribute
                )
            return {
                entry.subject: entry for entry in self._with_groups(service, unique, likely_admins)
            }

    def _search_pages(self, conn: ldap3.Connection, query: str) -> list[dict]:
        """Every entry under the user base that query finds, page by page. Anything but
        a complete answer raises: a size limit that cut the answer short must not read
        as "these people are gone"."""
        config = self.config
        found: list[dict] = []
        cookie = None
        for _ in range(config.recheck_batch + 1):  # each page but the last holds one
            conn.search(
                config.user_base,
                query,
                ldap3.SUBTREE,
                attributes=self._attributes(),
                paged_size=config.recheck_batch,
                paged_cookie=cookie,
                time_limit=max(1, int(config.timeout)),
            )
            if conn.result.get("description") != "success":
                raise LDAPException(f"search failed: {conn.result.get('description')}")
            found += [item for item in conn.response if item.get("type") == "searchResEntry"]
            control = conn.result.get("controls", {}).get(PAGED_RESULTS, {})
            cookie = control.get("value", {}).get("cookie")
            if not cookie:
                return found
        raise LDAPException("search never ended")

    def _find(self, conn: ldap3.Connection, username: str) -> Entry | None:
        config = self.config
        # Security: the typed name goes into the filter escaped, never as filter syntax.
        query = config.user_filter.replace("{username}", escape_filter_chars(username))
        if not conn.search(
            config.user_base,
            query,
            ldap3.SUBTREE,
            attributes=self._attributes(),
            size_limit=2,
            time_limit=max(1, int(config.timeout)),
        ):
            self._raise_unless_empty(conn)
            return None
        found = [item for item in conn.response if item.get("type") == "searchResEntry"]
        if len(found) != 1:  # ambiguous filters sign nobody in
            return None
        entry = self._entry(found[0], typed_name=username)
        return self._with_groups(conn, [entry])[0] if entry else None

    def _attributes(self) -> list[str]:
        config = self.config
        return [
            config.id_attribute,
            config.username_attribute,
            config.name_attribute,
            config.email_attribute,
        ]

    def _entry(self, item: dict, typed_name: str = "") -> Entry | None:
        """The entry a search returned, before its groups are known; None without an id."""
        config, raw = self.config, item["raw_attributes"]
        subject = self._subject(raw.get(config.id_attribute) or [])
        if not subject:
            log.warning("directory entry has no %s: cannot link it", config.id_attribute)
            return None
        name = self._text(raw.get(config.username_attribute)) or typed_name
        return Entry(
            dn=item["dn"],
            subject=subject,
            username=name,
            display_name=self._text(raw.get(config.name_attribute)) or name,
            email=self._text(raw.get(config.email_attribute)) or None,
        )

    def _with_groups(
        self, conn: ldap3.Connection, entries: list[Entry], likely_admins=frozenset()
    ) -> list[Entry]:
        """The entries with allowed and is_admin set from the configured groups."""
        config = self.config
        if config.allowed_group:
            allowed = self._members(conn, config.allowed_group, entries, likely_in=True)
            entries = [replace(entry, allowed=entry.dn in allowed) for entry in entries]
        if not config.admin_group:
            return entries
        inside = [entry for entry in entries if entry.allowed]
        admins = self._members(
            conn, config.admin_group, [e for e in inside if e.subject in likely_admins], True
        ) | self._members(
            conn, config.admin_group, [e for e in inside if e.subject not in likely_admins], False
        )
        return [
            replace(entry, is_admin=entry.dn in admins) if entry.allowed else entry
            for entry in entries
        ]

    def _members(
        self, conn: ldap3.Connection, group: str, entries: list[Entry], likely_in: bool
    ) -> set[str]:
        """The DNs of entries in group, by the group filter run on the group entry (so
        nested Active Directory groups work too). A list that is as expected costs one
        search: all in (an AND of the filters matches) or all out (an OR does not);
        otherwise it is halved, so each surprise costs about 2 log2(len) searches."""
        if not entries:
            return set()
        if self._group_matches(conn, group, entries, every=likely_in) == likely_in:
            return {entry.dn for entry in entries} if likely_in else set()
        if len(entries) == 1:
            return set() if likely_in else {entries[0].dn}
        half = len(entries) // 2
        return self._members(conn, group, entries[:half], likely_in) | self._members(
            conn, group, entries[half:], likely_in
        )

    def _group_matches(
        self, conn: ldap3.Connection, group: str, entries: list[Entry], every: bool
    ) -> bool:
        terms = "".join(
            self.config.group_filter.replace("{user_dn}", escape_filter_chars(entry.dn)).replace(
                "{username}", escape_filter_chars(entry.username)
            )
            for entry in entries
        )
        query = terms if len(entries) == 1 else f"({'&' if every else '|'}{terms})"
        if not conn.search(
            group,
            query,
            ldap3.BASE,
            attributes=["1.1"],
            size_limit=1,
            time_limit=max(1, int(self.config.timeout)),
        ):
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
