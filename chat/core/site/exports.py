"""Who may export what: a site admin everything, a room admin their room, anyone their
own messages. Exports are heavy reads, so only two run at once (Core.export_slots)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from chat.core import Core
from chat.core.conversation.rooms import check_readable, check_room_admin
from chat.core.site.export_records import Scope, export_lines
from chat.errors import Forbidden, TooManyRequests
from chat.models import User


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


@contextlib.asynccontextmanager
async def open_export(core: Core, scope: Scope, user: User) -> AsyncIterator[AsyncIterator[bytes]]:
    """The export's lines, read in one snapshot of their own within an export slot,
    for the caller to stream while the server keeps writing."""
    async with export_slot(core), core.db.snapshot() as conn:
        yield export_lines(conn, scope, core.settings.chat_uploads_dir, user.id)
