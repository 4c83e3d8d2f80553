"""The directory while the server runs (the LDAP client, CHAT_LDAP_URL) and its periodic
re-check: every linked LDAP user is looked up again by the
stable id their account is tied to, never by name, so a rename in the directory renames
them here and only people the directory no longer has lose access.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from chat.core.people import identities
from chat.core.people.directory import PROVIDER, Directory
from chat.core.site import leases
from chat.db import identities as identities_db
from chat.errors import Unavailable

log = logging.getLogger(__name__)
LEASE = "directory-recheck"
LEASE_SHARE = 0.9


async def recheck(core) -> int:
    """Ask the directory about every enabled linked user by stable id; those it no
    longer has, or who left the allowed group, are disabled (sockets closed), and those
    it has under a new name are renamed. A directory that is down, or answers only in
    part, changes nothing: an outage must not lock the whole team out."""
    directory: Directory = core.people.directory
    linked = await identities_db.enabled_of_provider(core.db.reader, PROVIDER)
    if not linked:
        return 0
    entries = await directory.entries_by_id(
        [person.subject for person in linked],
        frozenset(person.subject for person in linked if person.is_admin),
    )
    current = {
        subject: directory.profile(entry) for subject, entry in entries.items() if entry.allowed
    }
    return await identities.recheck(core, linked, current)


async def watch(core) -> None:
    """Re-check every recheck_seconds until cancelled: every process looks, and the one
    that wins the lease (held for LEASE_SHARE of the period, so the winner can win again
    next time and another takes over a period after it stops) asks the directory, so N
    hosts send one round of lookups, not N."""
    every = core.people.directory.config.recheck_seconds
    while True:
        await asyncio.sleep(every)
        try:
            if not await leases.claim(core, LEASE, every * LEASE_SHARE):
                continue
            disabled = await recheck(core)
        except Unavailable:
            continue
        if disabled:
            log.info("directory re-check disabled %d user(s)", disabled)


@contextlib.asynccontextmanager
async def serving(core) -> AsyncIterator[None]:
    """The LDAP client for this process, and its periodic re-check task (chat/app.py
    runs this for as long as the server runs); nothing without CHAT_LDAP_URL."""
    config = core.settings.ldap
    if config is None:
        yield
        return
    core.people.directory = Directory(config)
    task = (
        asyncio.create_task(watch(core), name="directory-recheck")
        if config.recheck_seconds > 0
        else None
    )
    try:
        yield
    finally:
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        core.people.directory.close()
