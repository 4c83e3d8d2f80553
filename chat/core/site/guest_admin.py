"""Managing guest accounts: adding one (an account made on the spot, or through an
invitation link: guest_links.py), listing them, turning a guest into a member and back,
and their expiry, after which the account is deactivated and its sockets close.

Who may add a guest: a site admin, or a room admin for their own rooms when
CHAT_GUEST_INVITES_BY_ROOM_ADMINS is on. Converting and expiry are the site admins'.
Each action writes its one audit entry in its own transaction (docs/audit.md). What a
guest may see is core/people/guests.py.
"""

from __future__ import annotations

from chat.clock import iso_utc
from chat.core import Core, Outcome
from chat.core.conversation.rooms import add_member, find_room
from chat.core.fields import clean_display_name
from chat.core.people import guests
from chat.core.people.accounts import check_password, check_username, hash_password
from chat.core.site import audit
from chat.core.site.administration import check_site_admin, find_target, page_params, search_text
from chat.core.site.audit_reads import check_moment
from chat.db import api_tokens as token_sql
from chat.db import guests as guest_sql
from chat.db import memberships as membership_sql
from chat.db import rooms as room_sql
from chat.db import users as user_sql
from chat.errors import BadInput, Conflict, Forbidden
from chat.events import SocketsEnded
from chat.models import Room, User

MAX_ROOMS = 50  # rooms one invitation adds a guest to


def check_until(value) -> str | None:
    """An expiry: None (never), a date (the end of that UTC day) or an ISO time."""
    return check_moment("guest_until", value, end=True)


def check_room_ids(value) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ROOMS:
        raise BadInput("field_type", field="rooms", kind=f"a list of up to {MAX_ROOMS} rooms")
    return list(dict.fromkeys(value))


async def rooms_to_add(conn, core: Core, inviter: User, refs: list) -> list[Room]:
    """The rooms a guest is added to; a room admin (where allowed) names only rooms
    they administer, and at least one. A guest (even a room's admin) invites nobody."""
    guests.check_may_create(inviter)
    if not inviter.is_admin:
        if not core.settings.guest_invites_by_room_admins or not refs:
            raise Forbidden("admin_only")
    found = []
    for ref in refs:
        room = await find_room(conn, ref)
        if room.room_type == "direct":
            raise BadInput("direct_room_closed")
        if not inviter.is_admin:
            membership = await membership_sql.membership(conn, room.id, inviter.id)
            if not (membership and membership.is_admin and not membership.is_banned):
                raise Forbidden("room_admin_only")
        found.append(room)
    return found


async def add_guest(core: Core, conn, name: str, display, password_hash, rooms, until) -> tuple:
    """Inside a write: the guest account and its memberships; (user, events)."""
    if await user_sql.user_by_username(conn, name):
        raise Conflict("username_taken")
    display = clean_display_name(display or "", name)
    user = await user_sql.insert_user(conn, name, display, password_hash, False)
    await guest_sql.set_guest(conn, user.id, True, until)
    user = await user_sql.user_by_id(conn, user.id)
    events = []
    for room in rooms:
        events += await add_member(core, conn, user, await room_sql.room_by_id(conn, room.id))
    return user, events


async def invite(
    core: Core, inviter: User, username, password, display_name=None, rooms=None, guest_until=None
) -> User:
    """A guest account made by the inviter, who hands on the name and password."""
    name = check_username(username)
    password_hash = await hash_password(check_password(password))
    refs, until = check_room_ids(rooms), check_until(guest_until)
    if display_name is not None and not isinstance(display_name, str):
        raise BadInput("field_type", field="display_name", kind="string")

    async def job(conn):
        found = await rooms_to_add(conn, core, inviter, refs)
        user, events = await add_guest(core, conn, name, display_name, password_hash, found, until)
        await audit.record(
            conn,
            inviter,
            "guest_invited",
            user,
            rooms=[room.name for room in found],
            guest_until=until,
        )
        return Outcome(user, events)

    user = await core.commit(job)
    core.alarm.set()  # an expiry for the scheduler to wait for
    return user


async def list_guests(
    core: Core, admin: User, query="", limit=None, offset=None
) -> tuple[list, int]:
    """A page of (user, last sign-in, room names) and how many guests match."""
    check_site_admin(admin)
    conn = core.db.reader
    found, total = await guest_sql.guests(conn, search_text(query), *page_params(limit, offset))
    rooms = await guest_sql.room_names_of(conn, [user.id for user, _ in found])
    return [(user, last, rooms[user.id]) for user, last in found], total


async def convert(core: Core, admin: User, user_id, is_guest, guest_until=None) -> User:
    """A guest becomes a member (is_guest false) or a member a guest. A site admin or a
    bot is never made a guest (demote first); a new guest's API tokens are revoked
    and the sockets opened with them close (guests have none)."""
    if not isinstance(is_guest, bool):
        raise BadInput("field_type", field="is_guest", kind="a boolean")
    until = check_until(guest_until) if is_guest else None

    async def job(conn):
        user = await find_target(conn, admin, user_id)
        if user.is_guest == is_guest:
            return Outcome(user)
        if is_guest and (user.is_admin or user.is_bot):
            raise Conflict("guest_not_admin")
        await guest_sql.set_guest(conn, user.id, is_guest, until)
        events = []
        if is_guest:
            await token_sql.delete_user_tokens(conn, user.id)
            events.append(SocketsEnded(None, user.id))
        await audit.record(
            conn,
            admin,
            "guest_converted",
            user,
            to="guest" if is_guest else "member",
            guest_until=until,
        )
        return Outcome(await user_sql.user_by_id(conn, user.id), events)

    user = await core.commit(job)
    core.alarm.set()
    return user


async def set_expiry(core: Core, admin: User, user_id, guest_until) -> User:
    """A guest's expiry (None: never); one already past deactivates them at once."""
    until = check_until(guest_until)

    async def job(conn):
        user = await find_target(conn, admin, user_id)
        if not user.is_guest:
            raise BadInput("not_a_guest")
        if user.guest_until == until:
            return Outcome(user)
        await guest_sql.set_guest(conn, user.id, True, until)
        await audit.record(
            conn, admin, "guest_expiry_set", user, before=user.guest_until, after=until
        )
        return Outcome(await user_sql.user_by_id(conn, user.id))

    user = await core.commit(job)
    core.alarm.set()  # the scheduler looks at the new time
    await expire_due(core)
    return user


async def expire_due(core: Core) -> int:
    """Deactivate guests whose time is up (the scheduler calls this): their logins and
    API tokens end and every socket closes (4001), as a site admin's deactivation."""
    if not await guest_sql.expired_guest_ids(core.db.reader, iso_utc()):
        return 0  # the common case: no write transaction

    async def job(conn):
        events = []
        for user_id in await guest_sql.expired_guest_ids(conn, iso_utc()):
            user = await user_sql.user_by_id(conn, user_id)
            if not await user_sql.set_standing(conn, user_id, False, False, only_active=True):
                continue  # two hosts on PostgreSQL: the other one ended it
            await token_sql.delete_user_tokens(conn, user_id)
            await audit.record(conn, None, "guest_expired", user, guest_until=user.guest_until)
            events.append(SocketsEnded(None, user_id))
        return Outcome(len(events), events)

    return await core.commit(job)
