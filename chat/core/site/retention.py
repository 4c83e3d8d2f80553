"""Retention: messages (and their files) older than N days are deleted, per room and site-wide.

CHAT_RETENTION_DAYS is the site's ceiling; a room admin may keep their room's history
for fewer days, never longer (the site's limit is a storage or policy decision a room
cannot override). Both default to off: nothing is ever deleted unless asked.
The daily run works in small transactions, so the single writer never stalls chat
for more than a moment, and logs what it deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from chat.clock import iso_utc, now
from chat.core import Core, Outcome
from chat.core.conversation.rooms import check_readable, check_room_admin
from chat.core.fields import check_int
from chat.db import retention as retention_sql
from chat.errors import BadInput
from chat.models import User

log = logging.getLogger(__name__)
MAX_DAYS = 36500
BATCH = 500


@dataclass(frozen=True)
class RoomRetention:
    room_id: int
    retention_days: int | None  # the room's own setting
    site_days: int | None  # CHAT_RETENTION_DAYS
    effective_days: int | None  # what the daily run applies


@dataclass(frozen=True)
class Purged:
    messages: int
    files: int


def effective_days(site_days: int | None, room_days: int | None) -> int | None:
    chosen = [days for days in (site_days, room_days) if days is not None]
    return min(chosen) if chosen else None


def describe(core: Core, room_id: int, days: int | None) -> RoomRetention:
    site = core.settings.retention_days
    return RoomRetention(room_id, days, site, effective_days(site, days))


async def room_retention(core: Core, user: User, ref) -> RoomRetention:
    room, _ = await check_readable(core.db.reader, user, ref)
    return describe(core, room.id, await retention_sql.room_retention(core.db.reader, room.id))


async def set_room_retention(core: Core, user: User, ref, days) -> RoomRetention:
    """Room admins and site admins; days is a whole number of days, or None for off."""
    if isinstance(days, float):  # check_int would round 1.5 down to a day
        raise BadInput("field_type", field="retention_days", kind="a whole number of days")
    if days is not None:
        days = check_int("retention_days", days, 1, MAX_DAYS)

    async def job(conn):
        room, membership = await check_readable(conn, user, ref)
        check_room_admin(user, room, membership)
        await retention_sql.set_room_retention(conn, room.id, days)
        return Outcome(room.id)

    room_id = await core.commit(job)
    log.info("retention of room %s set to %s days by user %s", room_id, days, user.id)
    return describe(core, room_id, days)


async def purge_expired(core: Core, at: datetime | None = None) -> Purged:
    """Delete every message older than its room's effective retention, and its files."""
    moment = at or now()
    total_messages = total_files = 0
    for row in await retention_sql.rooms_with_retention(core.db.reader):
        days = effective_days(core.settings.retention_days, row["retention_days"])
        if days is None:
            continue
        cutoff = iso_utc(moment - timedelta(days=days))
        messages, files = await purge_room(core, row["id"], cutoff)
        if messages:
            log.info(
                "retention: deleted %d messages and %d files older than %d days in room %s",
                messages,
                files,
                days,
                row["slug"],
            )
        total_messages += messages
        total_files += files
    return Purged(total_messages, total_files)


async def purge_room(core: Core, room_id: int, cutoff: str) -> tuple[int, int]:
    messages = files = 0
    while True:

        async def job(conn):
            rows = await retention_sql.expired_messages(conn, room_id, cutoff, BATCH)
            return Outcome(
                (len(rows), await retention_sql.delete_messages(conn, rows) if rows else [])
            )

        count, names = await core.commit(job)
        for name in names:  # after commit: a file goes only once no row can link it
            (core.settings.chat_uploads_dir / name).unlink(missing_ok=True)
        messages += count
        files += len(names)
        if count < BATCH:
            return messages, files
