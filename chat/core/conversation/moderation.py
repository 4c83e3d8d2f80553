"""Who is in a room beyond joining and leaving: invitations, direct rooms, and room
admins changing a member's role, mute or ban.

Decisions: room admins and moderators (and site admins who can read the room) may
invite; only room admins and site admins change members; a room always keeps one
admin; a direct room has two plain members, no admin, and nobody else, ever.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.core import Core, Outcome
from chat.core.conversation.rooms import check_readable, check_room_admin, find_room, new_slug
from chat.core.fields import check_int
from chat.core.people import guests
from chat.core.reach import notifications
from chat.core.site import audit
from chat.db import memberships as membership_sql
from chat.db import rooms as room_sql
from chat.db import users as user_sql
from chat.errors import BadInput, Forbidden, NotFound
from chat.events import MemberChanged, MemberJoined
from chat.models import ROLES, Membership, Room, User


@dataclass(frozen=True)
class PeerRoom:
    """A room and the other person concerned (the invitee, or the direct peer);
    created is False when nothing new was made."""

    room: Room
    peer: User
    created: bool


async def find_user(conn, username) -> User:
    if not isinstance(username, str) or not username.strip():
        raise BadInput("field_required", field="username")
    found = await user_sql.user_by_username(conn, username.strip())
    if found is None:
        raise NotFound("user_not_found")
    return found


def check_can_invite(user: User, room: Room, membership: Membership | None) -> None:
    if room.room_type == "direct":
        raise BadInput("direct_room_closed")
    if not (user.is_admin or (membership and membership.can_moderate)):
        raise Forbidden("moderators_only")


async def invite(core: Core, user: User, room_ref, username) -> PeerRoom:
    """Record an invitation and notify the invitee, who may then join the room.
    Inviting again changes nothing and notifies nobody."""

    async def job(conn):
        room, membership = await check_readable(conn, user, room_ref)
        check_can_invite(user, room, membership)
        invitee = await find_user(conn, username)
        await guests.check_may_invite(conn, core.settings, user, membership, invitee)
        present = await membership_sql.membership(conn, room.id, invitee.id)
        if present:
            key = "user_banned" if present.is_banned else "already_member"
            raise BadInput(key, username=invitee.username)
        if await membership_sql.has_invitation(conn, room.id, invitee.id):
            return Outcome(PeerRoom(room, invitee, created=False))
        await membership_sql.insert_invitation(conn, room.id, invitee.id, user.id)
        event = await notifications.create(
            conn,
            invitee.id,
            "room_invite",
            notifications.titled(core, "notify_invite", username=user.name, room=room.name),
            room.description or room.name,
            room,
            None,
        )
        return Outcome(PeerRoom(room, invitee, created=True), [event])

    return await core.commit(job)


async def decline(core: Core, user: User, room_ref) -> Room:
    """Turn an invitation down: it is gone, and joining needs a new one."""

    async def job(conn):
        room = await find_room(conn, room_ref)
        if not await membership_sql.delete_invitation(conn, room.id, user.id):
            raise NotFound("invitation_not_found")
        return Outcome(room)

    return await core.commit(job)


async def open_direct(core: Core, user: User, username) -> PeerRoom:
    """The one direct room of two users, created on first use with both as members."""

    async def job(conn):
        peer = await find_user(conn, username)
        if peer.id == user.id:
            raise BadInput("direct_self")
        await guests.check_may_meet(conn, user, peer)
        key = f"{min(user.id, peer.id)}:{max(user.id, peer.id)}"
        if existing := await room_sql.direct_room_id(conn, key):
            return Outcome(PeerRoom(await room_sql.room_by_id(conn, existing), peer, created=False))
        await room_sql.release_direct_key(conn, key)
        first, second = sorted((user, peer), key=lambda u: u.id)
        room_id = await room_sql.insert_room(
            conn,
            new_slug(),
            f"{first.username}, {second.username}",
            "",
            "direct",
            False,
            2,
            user.id,
            direct_key=key,
        )
        for member in (first, second):
            await membership_sql.insert_membership(conn, room_id, member.id, "member")
        room = await room_sql.room_by_id(conn, room_id)
        return Outcome(
            PeerRoom(room, peer, created=True),
            [MemberJoined(room.id, member, room) for member in (first, second)],
        )

    return await core.commit(job)


def check_member_change(role, is_muted, is_banned) -> None:
    if role is not None and role not in ROLES:
        raise BadInput("field_choice", field="role", choices=", ".join(ROLES))
    for name, value in (("is_muted", is_muted), ("is_banned", is_banned)):
        if value is not None and not isinstance(value, bool):
            raise BadInput("field_type", field=name, kind="a boolean")


async def check_keeps_an_admin(conn, target: Membership, role: str, banned: bool) -> None:
    """A room's last admin may not be demoted or banned, even by a site admin."""
    stops_being_admin = target.is_admin and not target.is_banned and (role != "admin" or banned)
    if stops_being_admin and await membership_sql.admin_count(conn, target.room_id) <= 1:
        raise BadInput("last_admin")


async def audit_member_change(
    conn, user: User, room: Room, before: Membership, after: Membership
) -> None:
    """An entry for each change that changed something: role, mute, ban."""
    where = {"room_id": room.id, "room": room.name}
    if after.role != before.role:
        await audit.record(
            conn,
            user,
            "room_role_changed",
            after.user,
            **where,
            before=before.role,
            after=after.role,
        )
    if after.is_muted != before.is_muted:
        await audit.record(
            conn, user, "member_muted" if after.is_muted else "member_unmuted", after.user, **where
        )
    if after.is_banned != before.is_banned:
        await audit.record(
            conn,
            user,
            "member_banned" if after.is_banned else "member_unbanned",
            after.user,
            **where,
        )


async def update_member(
    core: Core, user: User, room_ref, user_id, role=None, is_muted=None, is_banned=None
) -> tuple[Room, Membership]:
    """A room admin changes a member; a ban closes the member's sockets (4003) and
    keeps them out. Unbanning makes the row a membership again."""
    target_id = check_int("user_id", user_id, 1, 2**62)
    check_member_change(role, is_muted, is_banned)

    async def job(conn):
        room, membership = await check_readable(conn, user, room_ref)
        check_room_admin(user, room, membership)
        if room.room_type == "direct":
            raise BadInput("direct_room_closed")
        target = await membership_sql.membership(conn, room.id, target_id)
        if target is None:
            raise NotFound("member_not_found")
        new_role = role or target.role
        muted = target.is_muted if is_muted is None else is_muted
        banned = target.is_banned if is_banned is None else is_banned
        await check_keeps_an_admin(conn, target, new_role, banned)
        await membership_sql.update_membership(conn, room.id, target_id, new_role, muted, banned)
        changed = await membership_sql.membership(conn, room.id, target_id)
        await audit_member_change(conn, user, room, target, changed)
        events = [MemberChanged(room.id, changed.user, new_role, muted, banned)]
        if target.is_banned and not banned:  # unbanned: a member again
            events.append(MemberJoined(room.id, changed.user, room))
        return Outcome((room, changed), events)

    return await core.commit(job)
