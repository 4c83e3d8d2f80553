"""Background chores the server runs while it serves: once a day, the retention purge,
the purge of rooms deleted longer ago than CHAT_ROOM_PURGE_DAYS, of audit entries
older than CHAT_AUDIT_RETENTION_DAYS, of link-preview cache rows past their day and
of the preview pictures nothing names any more; every second, the coalesced join
notices of large rooms.

Every process (on every host) looks hourly; the one that wins the day's lease in the
database runs the purges, so N hosts purge once a day, not N times, and the purges
still run while any host is up."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from chat.core import Core, log_failure
from chat.core.conversation import deleted_rooms, member_notices, previews
from chat.core.site import audit, leases, retention
from chat.keys import core_key
from chat.web import preview_images

log = logging.getLogger(__name__)
FIRST_RUN_SECONDS = 300.0  # after start, not during it: a restart loop must not purge in a loop
EVERY_SECONDS = 24 * 3600.0
LOOK_SECONDS = 3600.0  # how often a process asks whether the day's purges are due
LEASE = "daily-purges"


# In order: the preview pictures are swept after the cache rows naming them expired.
DAILY = (
    retention.purge_expired,
    deleted_rooms.purge_expired,
    audit.purge_expired,
    previews.purge_expired,
    preview_images.sweep,
)


async def purge_daily(core: Core) -> None:
    await asyncio.sleep(FIRST_RUN_SECONDS)
    while True:
        try:
            due = await leases.claim(core, LEASE, EVERY_SECONDS)
        except Exception as exc:  # the database is away: look again later
            log_failure(log, "claiming the daily chores failed", exc)
            due = False
        if due:
            log.info("daily chores: this process holds the day's lease and runs them")
            await purge_all(core)
        await asyncio.sleep(LOOK_SECONDS)


async def purge_all(core: Core) -> None:
    for chore in DAILY:
        try:
            await chore(core)
        except Exception as exc:  # a failed run is logged and retried tomorrow; chat goes on
            log_failure(log, f"daily chore {chore.__module__} failed", exc)


async def run_chores(app: web.Application):
    """cleanup_ctx, after open_core: stops before the database closes."""
    tasks = [
        asyncio.create_task(purge_daily(app[core_key]), name="retention"),
        asyncio.create_task(member_notices.run(app[core_key]), name="member-notices"),
    ]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
