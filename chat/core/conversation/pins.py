"""Pinned messages per room and saved messages per user.

Room admins and moderators (and site admins; either member of a direct room) pin;
everyone who may read the room sees its pins. Saved messages are private to their
user. Both point at the message, so they show its current text after an edit, and a
deleted message leaves both lists (messages.delete calls forget_message).
"""

from __future__ import annotations

from chat.clock import iso_utc
from chat.core import Core, Outcome
from chat.core.conversation.messages import find_readable_message
from chat.core.conversation.rooms import check_readable
from chat.core.fields import check_int
from chat.core.people import guests
from chat.db import messages as message_sql
from chat.db import pins as pin_sql
from chat.errors import BadInput, Conflict, Forbidden
from chat.events import MessagePinned, MessageSaved, MessageUnpinned
from chat.models import Membership, Pin, Room, SavedMessage, User


def check_can_pin(user: User, room: Room, membership: Membership | None) -> None:
    if user.is_admin or (membership and membership.can_moderate):
        return
    if membership and room.room_type == "direct":
        return
    raise Forbidden("moderators_only")


async def pin(core: Core, user: User, message_id) -> tuple[Pin, bool]:
    """The pin, and whether this call created it (pinning twice changes nothing)."""

    async def job(conn):
        message, room, membership = await find_readable_message(conn, user, message_id)
        check_can_pin(user, room, membership)
        if message.is_deleted:
            raise BadInput("message_deleted")
        if await pin_sql.pin_count(conn, room.id) >= core.settings.max_pins:
            raise Conflict("pin_limit", limit=core.settings.max_pins)
        created = await pin_sql.insert_pin(conn, room.id, message.id, user.id)
        ((message, by, at),) = await pin_sql.pin_rows(conn, room.id, message.id)
        found = Pin(message, by, at)
        return Outcome(
            (found, created), [MessagePinned(room.id, message, by, at)] if created else []
        )

    return await core.commit(job)


async def unpin(core: Core, user: User, message_id) -> bool:
    """True when the message was pinned."""

    async def job(conn):
        message, room, membership = await find_readable_message(conn, user, message_id)
        check_can_pin(user, room, membership)
        removed = await pin_sql.delete_pin(conn, message.id)
        return Outcome(removed, [MessageUnpinned(room.id, message)] if removed else [])

    return await core.commit(job)


async def pins(core: Core, user: User, room_ref) -> list[Pin]:
    conn = core.db.reader
    room, _ = await check_readable(conn, user, room_ref)
    return [
        Pin(message, by, at)
        for message, by, at in await pin_sql.pin_rows(conn, room.id)
        if not message.is_deleted
    ]


async def save(core: Core, user: User, message_id) -> SavedMessage:
    async def job(conn):
        message, _, _ = await find_readable_message(conn, user, message_id)
        if message.is_deleted:
            raise BadInput("message_deleted")
        if await pin_sql.saved_count(conn, user.id) >= core.settings.max_saved:
            raise Conflict("saved_limit", limit=core.settings.max_saved)
        created = await pin_sql.insert_saved(conn, user.id, message.id)
        events = [MessageSaved(None, user.id, message, True)] if created else []
        return Outcome(SavedMessage(message, iso_utc()), events)

    return await core.commit(job)


async def unsave(core: Core, user: User, message_id) -> bool:
    message_id = check_int("message_id", message_id, 1, 2**62)

    async def job(conn):
        removed = await pin_sql.delete_saved(conn, user.id, message_id)
        if not removed:
            return Outcome(False)
        # No access check: one may always empty one's own list, even after leaving.
        message = await message_sql.message_by_id(conn, message_id)
        return Outcome(True, [MessageSaved(None, user.id, message, False)])

    return await core.commit(job)


async def saved(core: Core, user: User, limit=200) -> list[SavedMessage]:
    limit = check_int("limit", limit, 1, 1000, default=200)
    rows = await pin_sql.saved_rows(core.db.reader, user.id, limit, guests.sees_public_rooms(user))
    return [SavedMessage(message, at) for message, _, at in rows]
