"""Status and do-not-disturb: a short text with an emoji and an optional expiry.

Everyone sharing a room with the user sees it (and hears StatusChanged); do-not-disturb
silences the user's own browser notifications and is shown to others. An expired
status reads as none; the scheduler also clears it at its expiry, so others see it go.
"""

from __future__ import annotations

from chat.clock import iso_utc
from chat.core import Core, Outcome
from chat.core.fields import check_future_time, check_text
from chat.db import statuses as status_sql
from chat.db import users as user_sql
from chat.errors import BadInput
from chat.events import StatusChanged
from chat.models import Status, User

MAX_EMOJI = 16
MAX_TEXT = 100


def cleared(user_id: int) -> Status:
    return Status(user_id, "", "", False, None, iso_utc())


async def set_status(
    core: Core, user: User, emoji="", text="", dnd=False, expires_at=None
) -> Status:
    emoji = check_text("emoji", emoji or "", 0, MAX_EMOJI)
    if any(ch.isspace() for ch in emoji):
        raise BadInput("emoji_invalid")
    text = check_text("text", text or "", 0, MAX_TEXT)
    if not isinstance(dnd, bool):
        raise BadInput("field_type", field="dnd", kind="a boolean")
    expires_at = None if expires_at in (None, "") else check_future_time("expires_at", expires_at)

    async def job(conn):
        if not (emoji or text or dnd):
            await status_sql.delete_status(conn, user.id)
            status = cleared(user.id)
        else:
            await status_sql.upsert_status(conn, user.id, emoji, text, dnd, expires_at)
            status = await status_sql.status_of(conn, user.id, iso_utc())
        return Outcome(status, [await changed(conn, user, status)])

    status = await core.commit(job)
    if expires_at:
        core.alarm.set()
    return status


async def clear_status(core: Core, user: User) -> Status:
    return await set_status(core, user)


async def changed(conn, user: User, status: Status) -> StatusChanged:
    recipients = frozenset(await status_sql.neighbour_ids(conn, user.id))
    return StatusChanged(None, status, user, recipients)


async def statuses(core: Core, user: User) -> list[Status]:
    """The caller's status and those of everyone sharing a room with them."""
    return await status_sql.statuses_near(core.db.reader, user.id, iso_utc())


async def my_status(core: Core, user: User) -> Status:
    return await status_sql.status_of(core.db.reader, user.id, iso_utc()) or cleared(user.id)


async def expire_due(core: Core) -> int:
    """Clear statuses whose time is up, telling those who see them."""
    if not await status_sql.expired_user_ids(core.db.reader, iso_utc()):
        return 0  # the common case: no write transaction at all

    async def job(conn):
        events = []
        moment = iso_utc()
        for user_id in await status_sql.expired_user_ids(conn, moment):
            if not await status_sql.delete_expired_status(conn, user_id, moment):
                continue  # two hosts on PostgreSQL: the other one cleared it
            user = await user_sql.user_by_id(conn, user_id)
            if user is not None:
                events.append(await changed(conn, user, cleared(user_id)))
        return Outcome(len(events), events)

    return await core.commit(job)
