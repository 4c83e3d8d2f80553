"""Background chores the server runs while it serves: the daily retention purge and
the coalesced join notices of large rooms."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from ..core import Core, member_notices, retention
from ..keys import core_key

log = logging.getLogger(__name__)
FIRST_RUN_SECONDS = 300.0   # after start, not during it: a restart loop must not purge in a loop
EVERY_SECONDS = 24 * 3600.0


async def purge_daily(core: Core) -> None:
    await asyncio.sleep(FIRST_RUN_SECONDS)
    while True:
        try:
            await retention.purge_expired(core)
        except Exception:  # a failed run is logged and retried tomorrow; chat goes on
            log.exception("retention run failed")
        await asyncio.sleep(EVERY_SECONDS)


async def run_chores(app: web.Application):
    """cleanup_ctx, after open_core: stops before the database closes."""
    tasks = [asyncio.create_task(purge_daily(app[core_key]), name="retention"),
             asyncio.create_task(member_notices.run(app[core_key]), name="member-notices")]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
