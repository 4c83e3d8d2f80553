"""Rooms and memberships: who may see, join, leave, change and delete a room.

A room is found through the caller's membership or public visibility, so a
non-member of a private room finds nothing to read anywhere.
"""
from __future__ import annotations

import secrets

from ..db import messages as message_sql
from ..db import rooms as room_sql
from ..errors import BadInput, Forbidden, NotFound
from ..events import MemberJoined, MemberLeft, MessagePosted, RoomDeleted, RoomUpdated
from ..models import Membership, Room, RoomDetail, RoomListing, User
from . import Core, Outcome
from .fields import check_text, has_surrogate

CREATABLE_TYPES = ("public", "private", "group")


def new_slug() -> str:
    return "room_" + secrets.token_hex(4)


async def find_room(conn, ref) -> Room:
    if ref is None or str(ref).strip() == "" or has_surrogate(str(ref)):
        raise NotFound("room_not_found")
    room = await room_sql.room_by_ref(conn, ref)
    if room is None:
        raise NotFound("room_not_found")
    return room


async def check_readable(conn, user: User, ref) -> tuple[Room, Membership | None]:
    """The room and the caller's membership; Forbidden when only members may read it."""
    room = await find_room(conn, ref)
    membership = await room_sql.membership(conn, room.id, user.id)
    if membership and membership.is_banned:
        if not room.is_public:
            raise Forbidden("banned")
        membership = None
    if not room.is_public and membership is None:
        raise Forbidden("room_forbidden")
    return room, membership


def check_room_admin(user: User, room: Room, membership: Membership | None) -> None:
    if not (user.is_admin or (membership and membership.is_admin)):
        raise Forbidden("room_admin_only")


async def create_room(core: Core, user: User, name, description="", room_type="public",
                      is_official=False, max_members=50) -> Room:
    name = check_text("name", name, 1, 100)
    description = check_text("description", description or "", 0, 500)
    if room_type not in CREATABLE_TYPES:
        raise BadInput("field_choice", field="room_type", choices=", ".join(CREATABLE_TYPES))
    if not isinstance(is_official, bool):
        raise BadInput("field_type", field="is_official", kind="a boolean")
    if is_official and not user.is_admin:
        raise Forbidden("official_admin_only")
    if isinstance(max_members, bool) or not isinstance(max_members, int) or not 2 <= max_members <= 10000:
        raise BadInput("field_range", field="max_members", low=2, high=10000)

    async def job(conn):
        room_id = await room_sql.insert_room(conn, new_slug(), name, description, room_type,
                                             is_official, max_members, user.id)
        await room_sql.insert_membership(conn, room_id, user.id, "admin")
        room = await room_sql.room_by_id(conn, room_id)
        return Outcome(room, [MemberJoined(room.id, user, room)])
    return await core.commit(job)


async def list_rooms(core: Core, user: User, limit: int = 100, offset: int = 0) -> list[RoomListing]:
    conn = core.db.reader
    rows = await room_sql.visible_room_rows(conn, user.id, limit, offset)
    last_ids = [row["last_message_id"] for row in rows if row["last_message_id"]]
    last = {m.id: m for m in await message_sql.select_messages(
        conn, f"m.id IN ({','.join('?' * len(last_ids))})", last_ids)} if last_ids else {}
    mine = await room_sql.memberships_of(conn, user.id)
    return [RoomListing(room_sql.row_to_room(row), mine.get(row["id"]), row["unread_count"],
                        last.get(row["last_message_id"]), row["mention_count"]) for row in rows]


async def list_rooms_with_members(core: Core, user: User) -> list[tuple[RoomListing, list[int]]]:
    """The caller's room list, each room with its members' ids (dialect simple)."""
    listings = await list_rooms(core, user)
    members = await room_sql.member_ids_by_room(core.db.reader,
                                                [listing.room.id for listing in listings])
    return [(listing, members[listing.room.id]) for listing in listings]


async def room_detail(core: Core, user: User, ref, latest: int = 50) -> RoomDetail:
    conn = core.db.reader
    room, membership = await check_readable(conn, user, ref)
    members = await room_sql.members(conn, room.id)
    latest_messages = (await message_sql.messages_before(conn, room.id, None, latest)
                       if latest else [])
    return RoomDetail(room, membership, tuple(members), tuple(latest_messages))


async def room_members(core: Core, user: User, ref) -> tuple[Room, list[Membership]]:
    room, _ = await check_readable(core.db.reader, user, ref)
    return room, await room_sql.members(core.db.reader, room.id)


async def add_member(core: Core, conn, user: User, room: Room, role: str = "member") -> list:
    """Insert the membership and its 'joined' system message; return the events."""
    if room.member_count >= room.max_members:
        raise BadInput("room_full")
    await room_sql.insert_membership(conn, room.id, user.id, role)
    note = await message_sql.insert_message(
        conn, room, user, "system", core.text("system_join", username=user.username),
        system_event="join")
    return [MemberJoined(room.id, user, room), MessagePosted(room.id, note)]


async def join_in(core: Core, conn, user: User, ref) -> tuple[Room, list]:
    """Join inside a write transaction: (room, events); no events when already a member."""
    room = await find_room(conn, ref)
    membership = await room_sql.membership(conn, room.id, user.id)
    if membership and membership.is_banned:
        raise Forbidden("banned")
    if membership:
        return room, []
    if room.room_type == "direct":
        raise Forbidden("direct_room_closed")
    if not room.is_public and not await room_sql.has_invitation(conn, room.id, user.id):
        raise Forbidden("invitation_required")
    return room, await add_member(core, conn, user, room)


async def join(core: Core, user: User, ref) -> Room:
    """Join a room; joining twice is harmless."""
    async def job(conn):
        room, events = await join_in(core, conn, user, ref)
        return Outcome(room, events)
    return await core.commit(job)


async def leave(core: Core, user: User, ref) -> Room:
    async def job(conn):
        room = await find_room(conn, ref)
        membership = await room_sql.membership(conn, room.id, user.id)
        if membership is None or membership.is_banned:
            raise BadInput("not_a_member")
        if room.room_type == "direct":
            raise BadInput("direct_room_closed")
        await room_sql.delete_membership(conn, room.id, user.id)
        note = await message_sql.insert_message(
            conn, room, user, "system", core.text("system_leave", username=user.username),
            system_event="leave")
        return Outcome(room, [MessagePosted(room.id, note), MemberLeft(room.id, user)])
    return await core.commit(job)


async def update_room(core: Core, user: User, ref, name=None, description=None) -> Room:
    async def job(conn):
        room, membership = await check_readable(conn, user, ref)
        check_room_admin(user, room, membership)
        new_name = room.name if name is None else check_text("name", name, 1, 100)
        new_description = (room.description if description is None
                           else check_text("description", description, 0, 500))
        await room_sql.update_room(conn, room.id, new_name, new_description)
        updated = await room_sql.room_by_id(conn, room.id)
        return Outcome(updated, [RoomUpdated(room.id, updated)])
    return await core.commit(job)


async def delete_room(core: Core, user: User, ref) -> Room:
    """Soft delete: the room disappears and its sockets close (4004); messages stay."""
    async def job(conn):
        room = await find_room(conn, ref)
        membership = await room_sql.membership(conn, room.id, user.id)
        allowed = (user.is_admin or (room.creator and room.creator.id == user.id)
                   or (membership and membership.is_admin and not membership.is_banned))
        if not allowed:
            if not room.is_public and (membership is None or membership.is_banned):
                raise Forbidden("room_forbidden")
            raise Forbidden("cannot_delete_room")
        await room_sql.deactivate_room(conn, room.id)
        return Outcome(room, [RoomDeleted(room.id, room)])
    return await core.commit(job)


async def open_for_socket(core: Core, user: User, ref) -> tuple[Room, Membership | None]:
    """A socket opens for members, and joins the opener to a public room; the banned of
    a public room may still read it over REST, but get no live seat in it."""
    room = await find_room(core.db.reader, ref)
    membership = await room_sql.membership(core.db.reader, room.id, user.id)
    if membership and membership.is_banned:
        raise Forbidden("banned")
    if membership is None:
        if not room.is_public:
            raise Forbidden("room_forbidden")
        room = await join(core, user, room.id)
    return room, membership


async def seats_of(core: Core, user: User) -> list[tuple[Room, bool]]:
    """Every active room the user is a (not banned) member of, with their mute."""
    return await room_sql.rooms_of(core.db.reader, user.id)
