"""Deleted rooms: restore within the grace period, purge after it (or at once).

Deleting a room (core/rooms.py) only hides it: every lookup, list, search and socket
treats it as not found, while its rows stay. A site admin may restore it, with its
messages, members and settings, until CHAT_ROOM_PURGE_DAYS after its deletion; the
daily chores then purge it: messages and their files first, in small batches
(core/retention.py), then every row that names the room, then the room.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from chat.clock import iso_utc, now
from chat.core import Core, Outcome
from chat.core.fields import check_int
from chat.core.site import audit
from chat.core.site.administration import check_site_admin, page_params, search_text
from chat.core.site.retention import Purged, purge_room
from chat.db import deleted_rooms as deleted_sql
from chat.db import site_lists
from chat.db.rooms import room_by_id
from chat.errors import Conflict, NotFound
from chat.models import Room, User

log = logging.getLogger(__name__)
EVERYTHING = "9999"  # a cutoff after every stored time: all of a room's messages


def purge_at(core: Core, room: Room) -> str | None:
    """When the daily chores may purge this deleted room."""
    if room.deleted_at is None:
        return None
    deleted = datetime.fromisoformat(room.deleted_at.replace("Z", "+00:00"))
    return iso_utc(deleted + timedelta(days=core.settings.room_purge_days))


async def list_deleted(
    core: Core, admin: User, query="", limit=None, offset=None
) -> tuple[list[Room], int]:
    check_site_admin(admin)
    return await site_lists.deleted_rooms(
        core.db.reader, search_text(query), *page_params(limit, offset)
    )


async def find_deleted(conn, room_id) -> Room:
    room = await deleted_sql.deleted_room(conn, check_int("room_id", room_id, 1, 2**62))
    if room is None:
        raise NotFound("deleted_room_not_found")
    return room


async def restore(core: Core, admin: User, room_id) -> Room:
    """Back as it was; members see it again on their next room list."""
    check_site_admin(admin)

    async def job(conn):
        room = await find_deleted(conn, room_id)
        if room.room_type == "direct" and not await deleted_sql.kept_direct_key(conn, room.id):
            raise Conflict("direct_room_reopened")  # the two opened a new one since
        await deleted_sql.restore_room(conn, room.id)
        await audit.record(conn, admin, "room_restored", room)
        return Outcome(await room_by_id(conn, room.id))

    room = await core.commit(job)
    log.info("room %s restored by user %s", room.slug, admin.id)
    return room


async def purge_now(core: Core, admin: User, room_id) -> Purged:
    """Purge one deleted room before its grace period ends."""
    check_site_admin(admin)
    room = await find_deleted(core.db.reader, room_id)
    purged = await purge(core, room.id, admin)
    log.info("room %s purged by user %s", room.slug, admin.id)
    return purged


async def purge_expired(core: Core, at: datetime | None = None) -> Purged:
    """The daily chore: every room deleted longer ago than CHAT_ROOM_PURGE_DAYS."""
    cutoff = iso_utc((at or now()) - timedelta(days=core.settings.room_purge_days))
    messages = files = 0
    for room_id in await deleted_sql.rooms_deleted_before(core.db.reader, cutoff):
        purged = await purge(core, room_id)
        log.info(
            "purged deleted room %s: %d messages, %d files", room_id, purged.messages, purged.files
        )
        messages += purged.messages
        files += purged.files
    return Purged(messages, files)


async def purge(core: Core, room_id: int, admin: User | None = None) -> Purged:
    """admin: who purged it now; None for the daily chore."""
    messages, files = await purge_room(core, room_id, EVERYTHING)

    async def job(conn):
        room = await deleted_sql.deleted_room(conn, room_id) or ("room", room_id, None)
        await deleted_sql.delete_room_rows(conn, room_id)
        await audit.record(
            conn,
            admin,
            "room_purged",
            room,
            messages=messages,
            files=files,
            reason="purge_now" if admin else "purge_days",
        )
        return Outcome(None)

    await core.commit(job)
    return Purged(messages, files)
