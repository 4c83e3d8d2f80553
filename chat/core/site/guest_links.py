"""Invitation links for guests: a secret that works once, until it expires
(CHAT_GUEST_LINK_HOURS at most), and makes whoever opens it a guest of the rooms it
names. Only the secret's sha256 is stored; the link is shown once, to its maker.

The link is `/#guest=<secret>`: a fragment never reaches a server or proxy log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from chat.clock import iso_utc, now
from chat.core import Core, Outcome
from chat.core.fields import check_int
from chat.core.people import sessions
from chat.core.people.accounts import check_password, check_username, hash_password
from chat.core.site import audit
from chat.core.site.guest_admin import add_guest, check_room_ids, check_until, rooms_to_add
from chat.db import guests as guest_sql
from chat.db import rooms as room_sql
from chat.errors import BadInput, Forbidden, NotFound
from chat.models import Tokens, User

PREFIX = "/#guest="
MAX_SECRET = 64


@dataclass(frozen=True)
class GuestLink:
    id: int
    url: str  # the path and fragment: the page puts its own origin in front
    expires_at: str
    rooms: tuple[str, ...]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create(core: Core, inviter: User, rooms=None, hours=None, guest_until=None) -> GuestLink:
    """A new link; audited as guest_link_created (the sign-up is audited again)."""
    limit = core.settings.guest_link_hours
    hours = check_int("hours", hours, 1, limit, default=min(72, limit))
    refs, until = check_room_ids(rooms), check_until(guest_until)
    secret = secrets.token_urlsafe(24)
    expires_at = iso_utc(now() + timedelta(hours=hours))

    async def job(conn):
        found = await rooms_to_add(conn, core, inviter, refs)
        link_id = await guest_sql.insert_invitation(
            conn, digest(secret), [room.id for room in found], until, inviter.id, expires_at
        )
        names = tuple(room.name for room in found)
        await audit.record(
            conn,
            inviter,
            "guest_link_created",
            ("guest_link", link_id, None),
            rooms=list(names),
            expires_at=expires_at,
            guest_until=until,
        )
        return Outcome(GuestLink(link_id, PREFIX + secret, expires_at, names))

    return await core.commit(job)


async def sign_up(core: Core, secret, username, password, display_name=None) -> Tokens:
    """Whoever holds an unused, unexpired link becomes a guest of its rooms, signed in.
    A used, expired or unknown link is one answer: 404 guest_link_invalid."""
    if not core.settings.local_login:
        raise Forbidden("registration_closed")
    await core.limits.check_address("register_address", "too_many_registrations")
    if not isinstance(secret, str) or not 0 < len(secret) <= MAX_SECRET:
        raise NotFound("guest_link_invalid")
    if display_name is not None and not isinstance(display_name, str):
        raise BadInput("field_type", field="display_name", kind="string")
    name = check_username(username)
    password_hash = await hash_password(check_password(password))

    async def job(conn):
        link = await guest_sql.invitation_by_secret(conn, digest(secret))
        if link is None or link["used_at"] or link["expires_at"] <= iso_utc():
            raise NotFound("guest_link_invalid")
        rooms = [
            room
            for room_id in guest_sql.room_ids(link)
            if (room := await room_sql.room_by_id(conn, room_id)) is not None
        ]
        user, events = await add_guest(
            core, conn, name, display_name, password_hash, rooms, link["guest_until"]
        )
        if not await guest_sql.use_invitation(conn, link["id"], user.id):
            raise NotFound("guest_link_invalid")
        await audit.record(
            conn, user, "guest_signed_up", user, link_id=link["id"], invited_by=link["created_by"]
        )
        return Outcome(user, events)

    user = await core.commit(job)
    core.alarm.set()
    return await sessions.start(core, user, 0)
