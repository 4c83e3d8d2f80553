"""Rooms and memberships: who may see, join, leave, change and delete a room.

A room is found through the caller's membership or public visibility, so a
non-member of a private room finds nothing to read anywhere.
"""

from __future__ import annotations

import dataclasses
import secrets

from chat.clock import iso_utc
from chat.core import Core, Outcome
from chat.core.conversation.member_notices import check_mode, noticed
from chat.core.fields import check_int, check_text, has_surrogate
from chat.core.people import guests
from chat.core.site import audit
from chat.db import memberships as membership_sql
from chat.db import messages as message_sql
from chat.db import notifications as notification_sql
from chat.db import rooms as room_sql
from chat.errors import BadInput, Conflict, Forbidden, NotFound
from chat.events import MemberJoined, MemberLeft, RoomDeleted, RoomUpdated
from chat.models import Membership, Room, RoomDetail, RoomListing, User

CREATABLE_TYPES = ("public", "private", "group")
CHANGEABLE_TYPES = ("public", "private", "group")
CHANGEABLE_FIELDS = (
    "room_type",
    "max_members",
    "archived",
    "is_official",
    "join_notices",
    "link_previews",
)
DEFAULT_MAX_MEMBERS = 50
MAX_MEMBERS = 100_000
EVERYONE = "global"  # the seeded room a newcomer joins with their first write
DEFAULT_PUBLIC_PAGE = 100  # public rooms not joined, in a list asked for without paging
MAX_PAGE = 1000


def new_slug() -> str:
    return "room_" + secrets.token_hex(4)


def check_ref(ref) -> None:
    if ref is None or str(ref).strip() == "" or has_surrogate(str(ref)):
        raise NotFound("room_not_found")


async def find_room(conn, ref) -> Room:
    check_ref(ref)
    room = await room_sql.room_by_ref(conn, ref)
    if room is None:
        raise NotFound("room_not_found")
    return room


async def check_readable(conn, user: User, ref) -> tuple[Room, Membership | None]:
    """The room and the caller's membership; Forbidden when only members may read it."""
    check_ref(ref)
    room, membership = await room_sql.room_and_membership(conn, ref, user.id)
    if room is None:
        raise NotFound("room_not_found")
    if membership and membership.is_banned:
        if not room.is_public:
            raise Forbidden("banned")
        membership = None
    if membership is None and not guests.open_to(user, room):
        raise Forbidden("room_forbidden")
    return room, membership


def check_room_admin(user: User, room: Room, membership: Membership | None) -> None:
    if not (user.is_admin or (membership and membership.is_admin)):
        raise Forbidden("room_admin_only")


def check_max_members(value) -> int | None:
    """None (or 0) is no limit; else 2..MAX_MEMBERS."""
    if value is None or (value == 0 and not isinstance(value, bool)):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= MAX_MEMBERS:
        raise BadInput("field_range", field="max_members", low=2, high=MAX_MEMBERS)
    return value


async def create_room(
    core: Core,
    user: User,
    name,
    description="",
    room_type="public",
    is_official=False,
    max_members=...,
) -> Room:
    """max_members left out: 50, or no limit for an official room."""
    name = check_text("name", name, 1, 100)
    description = check_text("description", description or "", 0, 500)
    if room_type not in CREATABLE_TYPES:
        raise BadInput("field_choice", field="room_type", choices=", ".join(CREATABLE_TYPES))
    if not isinstance(is_official, bool):
        raise BadInput("field_type", field="is_official", kind="a boolean")
    guests.check_may_create(user)
    if is_official and not user.is_admin:
        raise Forbidden("official_admin_only")
    if max_members is ...:
        max_members = None if is_official else DEFAULT_MAX_MEMBERS
    max_members = check_max_members(max_members)

    async def job(conn):
        room_id = await room_sql.insert_room(
            conn, new_slug(), name, description, room_type, is_official, max_members, user.id
        )
        await membership_sql.insert_membership(conn, room_id, user.id, "admin")
        room = await room_sql.room_by_id(conn, room_id)
        await audit.record(
            conn,
            user,
            "room_created",
            room,
            room_type=room_type,
            max_members=max_members,
            is_official=is_official,
        )
        return Outcome(room, [MemberJoined(room.id, user, room)])

    return await core.commit(job)


async def list_rooms(
    core: Core, user: User, public_limit=None, public_offset=None
) -> list[RoomListing]:
    """Every room the caller belongs to, then a page of the public rooms they have not
    joined (the first DEFAULT_PUBLIC_PAGE unless asked otherwise): a list never drops
    one of the caller's own rooms, however many public rooms there are."""
    limit = check_int("public_limit", public_limit, 0, MAX_PAGE, default=DEFAULT_PUBLIC_PAGE)
    offset = check_int("public_offset", public_offset, 0, 2**31, default=0)
    conn = core.db.reader
    rows = await room_sql.listed_room_rows(conn, user.id, True, None, 0)
    if guests.sees_public_rooms(user):
        rows += await room_sql.listed_room_rows(conn, user.id, False, limit, offset)
    return await listings(conn, user, rows)


async def page_rooms(core: Core, user: User, skip: int, limit: int) -> list[RoomListing]:
    """A plain skip/limit page (v1) over the same order: own rooms first, then public."""
    conn = core.db.reader
    own = await room_sql.joined_room_count(conn, user.id)
    rows = await room_sql.listed_room_rows(conn, user.id, True, limit, skip) if skip < own else []
    if len(rows) < limit and guests.sees_public_rooms(user):
        rows += await room_sql.listed_room_rows(
            conn, user.id, False, limit - len(rows), max(0, skip - own)
        )
    return await listings(conn, user, rows)


async def listings(conn, user: User, rows) -> list[RoomListing]:
    last_ids = [row["last_message_id"] for row in rows if row["last_message_id"]]
    last = (
        {
            m.id: m
            for m in await message_sql.select_messages(
                conn, f"m.id IN ({','.join('?' * len(last_ids))})", last_ids
            )
        }
        if last_ids
        else {}
    )
    mine = await membership_sql.memberships_of(conn, user.id)
    return [
        RoomListing(
            room_sql.row_to_room(row),
            mine.get(row["id"]),
            row["unread_count"],
            last.get(row["last_message_id"]),
            row["mention_count"],
        )
        for row in rows
    ]


async def list_rooms_with_members(
    core: Core, user: User, public_limit=None, public_offset=None
) -> list[tuple[RoomListing, list[int]]]:
    """The caller's room list, each room with its members' ids (dialect simple)."""
    found = await list_rooms(core, user, public_limit, public_offset)
    members = await membership_sql.member_ids_by_room(
        core.db.reader, [listing.room.id for listing in found]
    )
    return [(listing, members[listing.room.id]) for listing in found]


async def room_detail(core: Core, user: User, ref, latest: int = 50) -> RoomDetail:
    conn = core.db.reader
    room, membership = await check_readable(conn, user, ref)
    members = await membership_sql.members(conn, room.id)
    latest_messages = (
        await message_sql.messages_before(conn, room.id, None, latest) if latest else []
    )
    return RoomDetail(room, membership, tuple(members), tuple(latest_messages))


async def room_members(core: Core, user: User, ref) -> tuple[Room, list[Membership]]:
    room, _ = await check_readable(core.db.reader, user, ref)
    return room, await membership_sql.members(core.db.reader, room.id)


async def add_member(core: Core, conn, user: User, room: Room, role: str = "member") -> list:
    """Insert the membership and its join notice (member_notices.py); the events."""
    if room.is_archived:
        raise Forbidden("room_archived")
    if room.is_full:
        raise BadInput("room_full")
    await membership_sql.insert_membership(conn, room.id, user.id, role)
    return [MemberJoined(room.id, user, room), *await noticed(core, conn, room, user, "join")]


async def welcome_in(core: Core, conn, user: User) -> list:
    """Inside the write that creates a newcomer: their join to the room everyone
    shares, so first contact is one small write that the group commit batches with
    the others arriving at once. Nothing when that room is gone, closed or full."""
    room = await room_sql.room_by_ref(conn, EVERYONE)
    if room is None or not guests.open_to(user, room) or room.is_archived or room.is_full:
        return []
    return await add_member(core, conn, user, room)


async def join_in(core: Core, conn, user: User, ref) -> tuple[Room, list]:
    """Join inside a write transaction: (room, events); no events when already a member."""
    room = await find_room(conn, ref)
    membership = await membership_sql.membership(conn, room.id, user.id)
    if membership and membership.is_banned:
        raise Forbidden("banned")
    if membership:
        return room, []
    if room.room_type == "direct":
        raise Forbidden("direct_room_closed")
    await guests.check_may_join(conn, user, room)
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
        membership = await membership_sql.membership(conn, room.id, user.id)
        if membership is None or membership.is_banned:
            raise BadInput("not_a_member")
        if room.room_type == "direct":
            raise BadInput("direct_room_closed")
        await membership_sql.delete_membership(conn, room.id, user.id)
        notice = await noticed(core, conn, room, user, "leave")
        return Outcome(room, [*notice, MemberLeft(room.id, user)])

    return await core.commit(job)


async def update_room(
    core: Core, user: User, ref, name=None, description=None, changes: dict | None = None
) -> Room:
    """Room admins and site admins change name, description and the optional changes:
    room_type (public/private/group), max_members (None: no limit), archived (bool),
    join_notices (always/coalesced/never), link_previews (bool); is_official is the
    site admins' alone."""
    changes = changes or {}

    async def job(conn):
        if user.is_admin:  # site admins manage private rooms they are not in, too
            room = await find_room(conn, ref)
            membership = await membership_sql.membership(conn, room.id, user.id)
        else:
            room, membership = await check_readable(conn, user, ref)
        check_room_admin(user, room, membership)
        updated = changed_room(user, room, name, description, changes)
        await room_sql.update_room(conn, updated)
        await audit_changes(conn, user, room, updated)
        updated = await room_sql.room_by_id(conn, room.id)
        return Outcome(updated, [RoomUpdated(room.id, updated)])

    return await core.commit(job)


def changed_room(user: User, room: Room, name, description, changes: dict) -> Room:
    fields = {}
    if name is not None:
        fields["name"] = check_text("name", name, 1, 100)
    if description is not None:
        fields["description"] = check_text("description", description, 0, 500)
    if "room_type" in changes:
        if room.room_type == "direct" or changes["room_type"] not in CHANGEABLE_TYPES:
            raise BadInput("field_choice", field="room_type", choices=", ".join(CHANGEABLE_TYPES))
        fields["room_type"] = changes["room_type"]
    if "max_members" in changes:
        fields["max_members"] = check_max_members(changes["max_members"])
    if "archived" in changes:
        if not isinstance(changes["archived"], bool):
            raise BadInput("field_type", field="archived", kind="a boolean")
        fields["archived_at"] = (room.archived_at or iso_utc()) if changes["archived"] else None
    if "join_notices" in changes:
        fields["join_notices"] = check_mode(changes["join_notices"])
    if "link_previews" in changes:
        if not isinstance(changes["link_previews"], bool):
            raise BadInput("field_type", field="link_previews", kind="a boolean")
        fields["link_previews"] = changes["link_previews"]
    if "is_official" in changes:
        if not isinstance(changes["is_official"], bool):
            raise BadInput("field_type", field="is_official", kind="a boolean")
        if not user.is_admin:
            raise Forbidden("official_admin_only")
        fields["is_official"] = changes["is_official"]
    return dataclasses.replace(room, **fields)


async def audit_changes(conn, user: User, before: Room, after: Room) -> None:
    """An entry for each audited change: type, member limit, archival."""
    if after.room_type != before.room_type:
        await audit.record(
            conn, user, "room_type_changed", after, before=before.room_type, after=after.room_type
        )
    if after.max_members != before.max_members:
        await audit.record(
            conn,
            user,
            "room_member_limit_changed",
            after,
            before=before.max_members,
            after=after.max_members,
        )
    if bool(after.archived_at) != bool(before.archived_at):
        await audit.record(
            conn, user, "room_archived" if after.archived_at else "room_unarchived", after
        )


async def name_seeded_rooms(core: Core) -> None:
    """At start: the seeded room's name and description follow CHAT_LANGUAGE until an
    admin renames it."""

    async def job(conn):
        await room_sql.name_seeded_rooms(
            conn, core.text("seeded_room_name"), core.text("seeded_room_description")
        )
        return Outcome(None)

    await core.commit(job)


async def delete_room(core: Core, user: User, ref) -> Room:
    """Soft delete: the room disappears and its sockets close (4004); its rows stay,
    restorable by a site admin until the purge (core/deleted_rooms.py)."""

    async def job(conn):
        room = await find_room(conn, ref)
        membership = await membership_sql.membership(conn, room.id, user.id)
        allowed = (
            user.is_admin
            or (room.creator and room.creator.id == user.id)
            or (membership and membership.is_admin and not membership.is_banned)
        )
        if not allowed:
            if not guests.open_to(user, room) and (membership is None or membership.is_banned):
                raise Forbidden("room_forbidden")
            raise Forbidden("cannot_delete_room")
        if room.is_official:  # new users land in it: without it they would see no room
            raise Conflict("official_room_undeletable", room=room.name)
        await room_sql.deactivate_room(conn, room.id)
        await audit.record(conn, user, "room_deleted", room)
        await notification_sql.mark_room_read(conn, room.id)
        return Outcome(room, [RoomDeleted(room.id, room)])

    return await core.commit(job)


async def open_for_socket(core: Core, user: User, ref) -> tuple[Room, Membership | None]:
    """A socket opens for members, and joins the opener to a public room; the banned of
    a public room may still read it over REST, but get no live seat in it."""
    room = await find_room(core.db.lookups, ref)
    membership = await membership_sql.membership(core.db.lookups, room.id, user.id)
    if membership and membership.is_banned:
        raise Forbidden("banned")
    if membership is None:
        if not guests.open_to(user, room):
            raise Forbidden("room_forbidden")
        room = await join(core, user, room.id)
    return room, membership


async def seats_of(core: Core, user: User) -> list[tuple[Room, bool]]:
    """Every active room the user is a (not banned) member of, with their mute."""
    return await room_sql.rooms_of(core.db.reader, user.id)
