"""The background task that does timed work: scheduled messages, reminders, status
and guest expiries. It sleeps until the next due item (no polling) and core.alarm wakes it when a
new item is stored. Everything due is found from the database, so nothing is lost when
the server was down at the time: it is done at the next start.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from chat.clock import now
from chat.core import Core, log_failure
from chat.core.conversation.schedule import remind_due, send_due
from chat.core.people.statuses import expire_due
from chat.core.site import guest_admin
from chat.db import guests as guest_sql
from chat.db import schedule as schedule_sql
from chat.events import Event, ReminderChanged, ScheduledChanged, StatusChanged

log = logging.getLogger(__name__)
MAX_SLEEP = 3600.0  # look again at least hourly, in case the wall clock was changed
ERROR_PAUSE = 5.0  # after an unexpected failure, before trying again


async def run(core: Core) -> None:
    """Until cancelled (at shutdown)."""
    while True:
        core.alarm.clear()  # before reading what is due: a new item sets it again
        try:
            await work_due(core)
            delay = await seconds_to_next(core)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log_failure(log, "scheduled work failed", exc)
            delay = ERROR_PAUSE
        try:  # not wait_for: on Python 3.11 it swallows a cancel that comes as the
            # alarm rings, and a shutdown then waited for this loop for ever (seen on CI)
            async with asyncio.timeout(delay):
                await core.alarm.wait()
        except TimeoutError:
            pass


def hear(core: Core, event: Event) -> None:
    """With several processes each sleeps until its own next item: timed work another
    process stored wakes this one's scheduler too, since the process that stored it
    may be gone (stopped, restarted) by the time it falls due."""
    if isinstance(event, (ScheduledChanged, ReminderChanged, StatusChanged)):
        core.alarm.set()


async def work_due(core: Core) -> None:
    while (
        await send_due(core)
        + await remind_due(core)
        + await expire_due(core)
        + await guest_admin.expire_due(core)
    ):
        pass  # a full batch may leave more behind


async def seconds_to_next(core: Core) -> float:
    dues = [
        await schedule_sql.next_due(core.db.reader),
        await guest_sql.next_expiry(core.db.reader),
    ]
    due = min((due for due in dues if due is not None), default=None)
    if due is None:
        return MAX_SLEEP
    wait = (datetime.fromisoformat(due) - now()).total_seconds()
    return min(max(wait, 0.0), MAX_SLEEP)
