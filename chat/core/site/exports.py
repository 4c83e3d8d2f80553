"""Who may export what: a site admin everything, a room admin their room, anyone their
own messages. Exports are heavy reads, so only two run at once (Core.export_slots)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from chat.clock import iso_utc
from chat.core import Core
from chat.core.conversation.rooms import check_readable, check_room_admin
from chat.errors import Forbidden, TooManyRequests
from chat.models import User


@dataclass(frozen=True)
class Scope:
    """What to export: everything ("site"), one room, or one user's own messages."""

    kind: str
    room_id: int | None = None
    user_id: int | None = None

    @property
    def filename(self) -> str:
        subject = {"site": "site", "room": f"room-{self.room_id}", "user": f"user-{self.user_id}"}
        return f"teahouse-{subject[self.kind]}-{iso_utc()[:10]}.jsonl"


def site_scope(user: User) -> Scope:
    if not user.is_admin:
        raise Forbidden("admin_only")
    return Scope("site")


async def room_scope(core: Core, user: User, ref) -> Scope:
    room, membership = await check_readable(core.db.reader, user, ref)
    check_room_admin(user, room, membership)
    return Scope("room", room_id=room.id)


def own_scope(user: User) -> Scope:
    return Scope("user", user_id=user.id)


@contextlib.asynccontextmanager
async def export_slot(core: Core):
    """One of the few export slots, or 429 at once (never a queue of heavy reads)."""
    slots = core.export_slots
    if slots.locked():
        raise TooManyRequests("export_busy")
    async with slots:
        yield
