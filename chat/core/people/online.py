"""Activity: who is online (an open socket or a REST heartbeat in the last 30 minutes),
where they connect from, and today's numbers.

The registry itself lives in the hub; this module decides who may see what: addresses
and user agents are shown to site admins only.
"""

from __future__ import annotations

from chat.clock import start_of_day
from chat.core import Core
from chat.core.fields import check_int
from chat.core.people import guests
from chat.db import messages as message_sql
from chat.db import users as user_sql
from chat.errors import Forbidden, NotFound
from chat.models import OnlineUser, Stats, User


def heartbeat(core: Core, user: User, ip: str | None, user_agent: str | None) -> str:
    """Keep the user online; the time of this activity."""
    return core.hub.touch(user, ip, user_agent).last_activity


async def set_typing(core: Core, user: User, room_id: int, is_typing: bool) -> None:
    """A typing frame from a socket already in the room; rate limited like sends."""
    await core.limits.check(user.id, "typing")
    core.hub.set_typing(room_id, user, is_typing)


async def online_users(core: Core, viewer: User) -> list[OnlineUser]:
    """Everyone online; for a guest, only the people of their rooms."""
    hub = core.hub
    private = viewer.is_admin
    entries = await guests.only_visible(core.db.reader, viewer, hub.active_users())
    return [
        OnlineUser(
            entry.user,
            entry.ip if private else None,
            entry.user_agent if private else None,
            entry.login_time,
            entry.last_activity,
        )
        for entry in entries
    ]


async def stats(core: Core) -> Stats:
    """Counts for the current UTC day, read through the created_at index."""
    conn = core.db.reader
    today = start_of_day()
    rooms = await message_sql.rooms_with_messages_since(conn, today)
    return Stats(
        online_users_count=len(core.hub.active_users()),
        total_messages_today=await message_sql.count_since(conn, today),
        active_rooms=len(rooms | core.hub.rooms_with_sockets()),
    )


async def user_ip(core: Core, viewer: User, user_id) -> tuple[int, str | None]:
    """(user id, last known address): the live registry first, else the last login."""
    if not viewer.is_admin:
        raise Forbidden("admin_only")
    user_id = check_int("user_id", user_id, 1, 2**62)
    row = await user_sql.last_address(core.db.reader, user_id)
    if row is None:
        raise NotFound("user_not_found")
    entry = core.hub.activity.get(user_id)
    return user_id, (entry.ip if entry and entry.ip else row["last_ip"])
