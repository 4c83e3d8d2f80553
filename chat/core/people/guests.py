"""The guest rule, in one place: a guest sees and joins only the rooms they were added
to, and meets only the people of those rooms (docs/guests.md).

Every surface asks here instead of testing `is_guest` itself: room reading, listing,
joining and sockets (core/conversation/rooms.py), search, saved messages, files (through
rooms' check_readable), the user directory, direct rooms, who is online, and the
creation of rooms, webhooks, bots and API tokens. For a member every function here
answers as the server did before guests existed.

Managing guests (inviting, converting, expiry) is core/site/guest_admin.py.
"""

from __future__ import annotations

from chat.clock import iso_utc
from chat.db import guests as guest_sql
from chat.db import memberships as membership_sql
from chat.errors import Forbidden, NotFound, Unauthorized
from chat.models import Membership, Room, User
from chat.settings import Settings


def open_to(user: User, room: Room) -> bool:
    """May the user read (and join) the room without being its member? Public rooms
    are open to members of the site, never to a guest."""
    return room.is_public and not user.is_guest


def sees_public_rooms(user: User) -> bool:
    """Whether room lists and search offer the user the public rooms they have not joined."""
    return not user.is_guest


def check_may_create(user: User) -> None:
    """Rooms, webhooks, bots and API tokens are made by members only."""
    if user.is_guest:
        raise Forbidden("guest_forbidden")


async def check_may_join(conn, user: User, room: Room) -> None:
    """A room that is not open to the user needs an invitation (a guest's: one that a
    site admin, or a room admin where the site allows it, gave them)."""
    if open_to(user, room) or await membership_sql.has_invitation(conn, room.id, user.id):
        return
    raise Forbidden("guest_room_forbidden" if user.is_guest else "invitation_required")


async def check_may_invite(
    conn, settings: Settings, user: User, membership: Membership | None, invitee: User
) -> None:
    """A guest is added to a room by a site admin, or by the room's admin when
    CHAT_GUEST_INVITES_BY_ROOM_ADMINS is on; anyone else's invitation is for members
    (and a guest inviting, as a moderator, finds only the people of their rooms)."""
    room_admin = (
        settings.guest_invites_by_room_admins
        and not user.is_guest
        and membership is not None
        and membership.is_admin
    )
    if invitee.is_guest and (user.is_admin or room_admin):
        return
    await check_may_meet(conn, user, invitee)
    if invitee.is_guest:
        raise Forbidden("guest_invite_admins_only")


async def check_may_meet(conn, user: User, other: User) -> None:
    """A guest and someone else see each other (directory, direct room) only while they
    share a room; otherwise the other is not found, as if they did not exist."""
    if user.id == other.id or not (user.is_guest or other.is_guest):
        return
    if not await guest_sql.share_a_room(conn, user.id, other.id):
        raise NotFound("user_not_found")


def fellows_only(user: User) -> int | None:
    """The guest a list of people is narrowed to the fellows of, or None: a member
    sees everyone."""
    return user.id if user.is_guest else None


async def visible_ids(conn, user: User) -> set[int] | None:
    """The ids of the people the user may see, or None for everyone (a member)."""
    if not user.is_guest:
        return None
    return await guest_sql.fellow_ids(conn, user.id)


async def only_visible(conn, viewer: User, people: list) -> list:
    """people (Users, or anything with a .user) narrowed to those viewer may see."""
    allowed = await visible_ids(conn, viewer)
    if allowed is None:
        return people
    return [p for p in people if getattr(p, "user", p).id in allowed]


def check_not_expired(user: User) -> None:
    """A guest past their expiry is refused at once, before the chore that deactivates
    them (guest_admin.expire_due) has run."""
    if user.is_guest and user.guest_until and user.guest_until <= iso_utc():
        raise Unauthorized("guest_expired")
